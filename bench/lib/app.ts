/** The production build used by the benchmarks (NEXT_DIST_DIR=.next-bench) and helpers to start it. */
import { execFileSync, spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { performance } from "node:perf_hooks";
import { sleep } from "./timing";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
export const DIST = ".next-bench";
export const DIST_PATH = path.join(ROOT, DIST);
export const NEXT_BIN = path.join(ROOT, "node_modules/next/dist/bin/next");
export const ADMIN = { email: "admin@bench.test", password: "bench-admin-password-1" };

export interface BuildInfo {
  commit: string;
  /** files with uncommitted changes in the tree the build was made from (other engineers' work in progress) */
  dirtyFiles: number;
  builtAt: string;
  buildSeconds: number | null;
}

let rebuilt = false;

/** Builds `.next-bench` once (or again, once per run, with BENCH_REBUILD=1) and returns what it was built from. */
export function ensureBuild(): BuildInfo {
  const infoFile = path.join(DIST_PATH, "bench-build.json");
  if ((!process.env.BENCH_REBUILD || rebuilt) && existsSync(path.join(DIST_PATH, "BUILD_ID"))) {
    if (existsSync(infoFile)) return JSON.parse(readFileSync(infoFile, "utf8")) as BuildInfo;
    return { commit: "unknown (built outside the bench)", dirtyFiles: -1, builtAt: "unknown", buildSeconds: null };
  }
  const git = (args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" });
  const commit = git(["rev-parse", "--short", "HEAD"]).trim();
  const dirtyFiles = git(["status", "--porcelain"]).split("\n").filter(Boolean).length;
  console.log(`  building ${DIST} (next build; several minutes on a busy machine)…`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [NEXT_BIN, "build"], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NEXT_DIST_DIR: DIST, NEXT_TELEMETRY_DISABLED: "1" }, maxBuffer: 1 << 28 });
  if (r.status !== 0) throw new Error(`next build failed:\n${String(r.stdout).slice(-3000)}${String(r.stderr).slice(-3000)}`);
  const info: BuildInfo = { commit, dirtyFiles, builtAt: new Date().toISOString(), buildSeconds: Math.round((performance.now() - t0) / 1000) };
  writeFileSync(infoFile, JSON.stringify(info, null, 2));
  rebuilt = true;
  return info;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** Polls `url` every 5 ms until `ok(body)` holds; returns ms since `since`. */
export async function waitFor(url: string, since: number, ok: (status: number, body: string) => boolean, timeoutMs = 300_000, child?: ChildProcess): Promise<number> {
  for (;;) {
    if (child && child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before ${url} answered`);
    try {
      const res = await fetch(url);
      const body = await res.text();
      if (ok(res.status, body)) return performance.now() - since;
    } catch {
      /* not listening yet */
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${url} not ready after ${timeoutMs} ms`);
    await sleep(5);
  }
}

export interface RunningApp {
  url: string;
  child: ChildProcess;
  /** ms from spawn to /api/health {"status":"ok"} */
  readyMs: number;
  logs: () => string;
  stop: () => Promise<void>;
}

/** Starts `next start` on the bench build with its own data dir (PGlite) or DATABASE_URL (PostgreSQL). */
export async function startApp(opts: { dataDir: string; databaseUrl?: string; env?: Record<string, string> }): Promise<RunningApp> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: DIST,
    PORTCULLIS_DATA_DIR: opts.dataDir,
    PORTCULLIS_ADMIN_EMAIL: ADMIN.email,
    PORTCULLIS_ADMIN_PASSWORD: ADMIN.password,
    ...opts.env,
  };
  delete env.DATABASE_URL;
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  const t0 = performance.now();
  const child = spawn(process.execPath, [NEXT_BIN, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (c) => (out = (out + c).slice(-20_000)));
  child.stderr!.on("data", (c) => (out = (out + c).slice(-20_000)));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const gone = new Promise((r) => child.once("exit", r));
    child.kill("SIGTERM");
    await Promise.race([gone, sleep(5000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
  };
  try {
    const readyMs = await waitFor(`${url}/api/health`, t0, (s, b) => s === 200 && b.includes('"ok"'), 300_000, child);
    return { url, child, readyMs, logs: () => out, stop };
  } catch (e) {
    await stop();
    throw new Error(`${e instanceof Error ? e.message : e}\n${out.slice(-2000)}`);
  }
}
