/**
 * Starts the production app (`next start`) in a child process for integration and soak tests, on the
 * database the test file was given (test/helpers/setup-db.ts sets PORTCULLIS_DATA_DIR or DATABASE_URL).
 * Builds into its own dist dir (.next-resilience) when no build is there yet, so it never touches the
 * `.next` other servers use. PORTCULLIS_TEST_DIST_DIR reuses another build (e.g. `.next` after e2e).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { getDb, closeDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";

const root = path.resolve(__dirname, "../..");
const nextBin = path.join(root, "node_modules/next/dist/bin/next");
export const distDir = () => process.env.PORTCULLIS_TEST_DIST_DIR || ".next-resilience";

/** Build once (minutes); later runs reuse the build. */
export function ensureBuild(): void {
  if (existsSync(path.join(root, distDir(), "BUILD_ID"))) return;
  const r = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, NEXT_DIST_DIR: distDir(), NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production", PORTCULLIS_DATA_DIR: "", DATABASE_URL: "" },
  });
  if (r.status !== 0) throw new Error(`next build into ${distDir()} failed (exit ${r.status})`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface AppServer {
  origin: string;
  baseURL: string;
  port: number;
  child: ChildProcess;
  /** Output so far (for failure messages). */
  log(): string;
  /** SIGKILL the whole process group, as a power cut would. */
  kill(): Promise<void>;
  /** Graceful stop (SIGTERM), falling back to SIGKILL. */
  stop(): Promise<void>;
}

export interface StartOptions {
  port?: number;
  /** Extra environment (e.g. DATABASE_URL pointing at a proxy). */
  env?: Record<string, string | undefined>;
  readyTimeoutMs?: number;
}

export async function startAppServer(opts: StartOptions = {}): Promise<AppServer> {
  ensureBuild();
  const port = opts.port ?? (await freePort());
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "production",
    NEXT_TELEMETRY_DISABLED: "1",
    NEXT_DIST_DIR: distDir(),
    PORTCULLIS_API_RATE_LIMIT: "1000000/300",
    ...opts.env,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, [nextBin, "start", "-p", String(port), "-H", "127.0.0.1"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (d) => (out = (out + d).slice(-20_000)));
  child.stderr!.on("data", (d) => (out = (out + d).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, sig);
    } catch {
      /* already gone */
    }
  };
  const server: AppServer = {
    origin,
    baseURL: `${origin}/client/v4`,
    port,
    child,
    log: () => out,
    kill: async () => {
      signalGroup("SIGKILL");
      await exited;
    },
    stop: async () => {
      signalGroup("SIGTERM");
      const t = setTimeout(() => signalGroup("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    },
  };
  const deadline = Date.now() + (opts.readyTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode) throw new Error(`server exited before it was ready:\n${out}`);
    try {
      const res = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(5000) });
      if (res.status === 200) return server;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await server.kill();
      throw new Error(`server not healthy after ${opts.readyTimeoutMs ?? 90_000} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Seed the test database before the server opens it: an admin and `count` edit tokens. Closes this
 * process's handle afterwards (PGlite allows one process at a time).
 */
export async function seedAdminAndTokens(count: number): Promise<{ tokens: string[]; accountId: string; adminEmail: string; adminPassword: string }> {
  const adminEmail = "soak-admin@example.com";
  const adminPassword = "a-long-password-1";
  const u = await createFirstAdmin({ email: adminEmail, name: "Soak Admin", password: adminPassword }, null);
  if (!u.ok) throw new Error(u.error.message);
  const admin = { type: "user" as const, id: u.value.id, label: u.value.email, role: "admin" as const, permission: "edit" as const };
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const t = await createApiToken(admin, { name: `soak-${i}`, permission: "edit" });
    if (!t.ok) throw new Error(t.error.message);
    tokens.push(t.value.secret);
  }
  const accountId = (await getSetting<string>(await getDb(), "account_id"))!;
  await closeDb();
  return { tokens, accountId, adminEmail, adminPassword };
}
