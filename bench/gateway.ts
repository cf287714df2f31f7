/**
 * Gateway vs nginx: the Portcullis gateway (one Node process, full lib/pki + lib/policy evaluation per request,
 * PGlite access log) and nginx running the configuration Portcullis exports for the same hostname, both proxying
 * to the same bare origin process, driven by the same load generator (bench/loadgen.ts, its own process):
 * handshakes/s (a new TLS connection per request) and keep-alive requests/s with the seed's client certificate,
 * plus p50/p99 latency. Target: ≥ 0.8× nginx on both.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { freePort, ROOT } from "./lib/app";
import type { Row } from "./lib/report";
import { sleep } from "./lib/timing";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
const CONCURRENCY = Number(process.env.BENCH_GW_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_GW_SECONDS ?? 5);
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

interface Load {
  rps: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
}

function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    let err = "";
    const timer = setTimeout(() => reject(new Error(`no answer after ${timeoutMs} ms: ${err.slice(-2000)}`)), timeoutMs);
    child.stderr?.on("data", (d) => (err += d));
    child.stdout!.on("data", (d) => {
      buf += d;
      const line = buf.split("\n").find((l) => l.startsWith("{"));
      if (line) {
        clearTimeout(timer);
        resolve(line);
      }
    });
    child.once("exit", (code) => reject(new Error(`exited with ${code}: ${err.slice(-2000)}`)));
  });
}

async function load(port: number, setup: { host: string; cacert: string; client: { cert: string; key: string } }, mode: "handshake" | "keepalive"): Promise<Load> {
  const arg = JSON.stringify({ port, host: setup.host, cacert: setup.cacert, cert: setup.client.cert, key: setup.client.key, mode, concurrency: CONCURRENCY, seconds: SECONDS });
  const out = execFileSync(TSX, ["bench/loadgen.ts", arg], { cwd: ROOT, encoding: "utf8", timeout: (SECONDS + 60) * 1000 });
  const r = JSON.parse(out.trim().split("\n").pop()!) as Load;
  const ok = r.statuses["200"] ?? 0;
  if (ok === 0 || ok < r.requests * 0.99 || r.errors > 0) throw new Error(`port ${port} ${mode}: ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
  return r;
}

export async function runGateway(): Promise<Row[]> {
  if (!NGINX) throw new Error("nginx is not installed (the nginx parity test installs nginx-light when run as root)");
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-gwdata-"));
  const originPort = await freePort();
  const nginxPort = await freePort();
  const origin = spawn(process.execPath, ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${originPort},'127.0.0.1')`], { stdio: "ignore" });
  const gw = spawn(TSX, ["bench/gateway-server.ts"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORTCULLIS_DATA_DIR: dataDir, ORIGIN_URL: `http://127.0.0.1:${originPort}`, NGINX_PORT: String(nginxPort), DATABASE_URL: "" },
  });
  let nginx: ChildProcess | null = null;
  try {
    const setup = JSON.parse(await firstLine(gw, 180_000)) as { host: string; gatewayPort: number; dir: string; cacert: string; client: { cert: string; key: string } };
    const g = ["-p", setup.dir, "-c", path.join(setup.dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${setup.dir}/nginx.pid; user root;`];
    execFileSync(NGINX, ["-t", "-q", ...g], { stdio: "pipe" });
    nginx = spawn(NGINX, g, { stdio: "ignore" });
    await sleep(1000);
    const workers = os.cpus().length;
    // Alternate the order so neither server always runs on the warmer (or busier) half of the run.
    const gwHs = await load(setup.gatewayPort, setup, "handshake");
    const ngHs = await load(nginxPort, setup, "handshake");
    const ngKa = await load(nginxPort, setup, "keepalive");
    const gwKa = await load(setup.gatewayPort, setup, "keepalive");
    const b = { benchmark: "gateway vs nginx", baselineName: "nginx, exported config (worker_processes auto)" };
    const note = `${CONCURRENCY} concurrent clients × ${SECONDS} s each, RSA-2048 client cert (CN John Doe) allowed by a Service Auth policy; gateway = 1 Node process, nginx workers = ${workers} cores; load generator shares the machine`;
    return [
      { ...b, metric: "TLS handshakes/s (new connection per request)", ours: gwHs.rps, baseline: ngHs.rps, unit: "/s", better: "higher", target: "≥ 0.8× nginx", met: gwHs.rps >= 0.8 * ngHs.rps, note },
      { ...b, metric: "handshake requests: p50 latency", ours: gwHs.p50, baseline: ngHs.p50, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "handshake requests: p99 latency", ours: gwHs.p99, baseline: ngHs.p99, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "keep-alive requests/s", ours: gwKa.rps, baseline: ngKa.rps, unit: "/s", better: "higher", target: "≥ 0.8× nginx", met: gwKa.rps >= 0.8 * ngKa.rps },
      { ...b, metric: "keep-alive: p50 latency", ours: gwKa.p50, baseline: ngKa.p50, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "keep-alive: p99 latency", ours: gwKa.p99, baseline: ngKa.p99, unit: "ms", better: "lower", target: "", met: null },
    ];
  } finally {
    if (nginx && nginx.exitCode === null) nginx.kill("SIGQUIT");
    if (gw.exitCode === null) gw.kill("SIGTERM");
    origin.kill("SIGKILL");
    await sleep(1500);
    if (gw.exitCode === null) gw.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
