/**
 * Gateway vs nginx: the Portcullis gateway (GATEWAY_WORKERS processes, default one per core, as nginx's
 * `worker_processes auto`; full lib/pki + lib/policy evaluation per request, PGlite access log written by the
 * primary) and nginx running the configuration Portcullis exports for the same hostname, both proxying to the same
 * bare origin process, driven by the same load generator (bench/loadgen.ts): handshakes/s (a new TLS connection per
 * request) and keep-alive requests/s with the seed's client certificate, plus p50/p99 latency, and the CPU time
 * each server (all its processes) and the load generator spent per request. Target: ≥ 0.8× nginx on both.
 * A third server runs in the same rounds as a floor: bench/gateway-floor-server.ts, a bare Node TLS proxy of the
 * gateway's shape (same worker processes, TLS options, certificate and undici pool) without validation, policy,
 * access log or JWT — its rows show how much of the gap is Node's own TLS/HTTP stack.
 *
 * Knobs: BENCH_GW_CONCURRENCY (16, total over the load generator processes), BENCH_GW_SECONDS (5 per load),
 * BENCH_GW_ROUNDS (3; each round runs the three servers back to back, in rotating order; the round with the median
 * gateway/nginx ratio is reported, and for the floor rows the round with the median floor/nginx ratio),
 * BENCH_GW_LOADGEN_PROCS (load generator processes, default 1), GATEWAY_WORKERS.
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import { freePort, ROOT } from "./lib/app";
import type { Row } from "./lib/report";
import { sleep } from "./lib/timing";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
const CONCURRENCY = Number(process.env.BENCH_GW_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_GW_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_GW_ROUNDS ?? 3));
const LOADGEN_PROCS = Math.max(1, Number(process.env.BENCH_GW_LOADGEN_PROCS ?? 1));
const run = promisify(execFile);
const TSX = path.join(ROOT, "node_modules/.bin/tsx");

interface Load {
  rps: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  seconds: number;
  /** load generator CPU (all its processes) over the measured window */
  cpuMs: number;
}

interface Measured extends Load {
  /** server CPU (all its processes) per request, ms — includes the load generator's warm-up half second */
  serverCpuPerReq: number;
  loadgenCpuPerReq: number;
  /** load generator CPU use in cores (1.0 = one core busy) */
  loadgenCores: number;
}

const TICK_MS = 1000 / 100; // USER_HZ

/** utime+stime (ms) of `root` and all its descendants, from /proc. */
function treeCpuMs(root: number): number {
  const parent = new Map<number, number>();
  const cpu = new Map<number, number>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      parent.set(Number(d), Number(f[1]));
      cpu.set(Number(d), (Number(f[11]) + Number(f[12])) * TICK_MS);
    } catch {
      // exited meanwhile
    }
  }
  let total = 0;
  for (const [pid, ms] of cpu) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === root) {
        total += ms;
        break;
      }
    }
  }
  return total;
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

async function load(port: number, serverPid: number, setup: { host: string; cacert: string; client: { cert: string; key: string } }, mode: "handshake" | "keepalive"): Promise<Measured> {
  // The total concurrency is split over the load generator processes (the same split for both servers).
  const per = Array.from({ length: LOADGEN_PROCS }, (_, i) => Math.floor(CONCURRENCY / LOADGEN_PROCS) + (i < CONCURRENCY % LOADGEN_PROCS ? 1 : 0));
  const cpu0 = treeCpuMs(serverPid);
  const outs = await Promise.all(
    per.map((concurrency) => {
      const arg = JSON.stringify({ port, host: setup.host, cacert: setup.cacert, cert: setup.client.cert, key: setup.client.key, mode, concurrency, seconds: SECONDS });
      return run(TSX, ["bench/loadgen.ts", arg], { cwd: ROOT, encoding: "utf8", timeout: (SECONDS + 60) * 1000 });
    }),
  );
  const serverCpu = treeCpuMs(serverPid) - cpu0;
  const parts = outs.map((o) => JSON.parse(o.stdout.trim().split("\n").pop()!) as Load);
  const statuses: Record<string, number> = {};
  for (const p of parts) for (const [k, v] of Object.entries(p.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  const requests = parts.reduce((a, p) => a + p.requests, 0);
  const r: Load = {
    rps: parts.reduce((a, p) => a + p.rps, 0),
    requests,
    errors: parts.reduce((a, p) => a + p.errors, 0),
    statuses,
    // Percentiles of the combined run: the worst process's (conservative; equal for both servers).
    p50: Math.max(...parts.map((p) => p.p50)),
    p99: Math.max(...parts.map((p) => p.p99)),
    seconds: Math.max(...parts.map((p) => p.seconds)),
    cpuMs: parts.reduce((a, p) => a + p.cpuMs, 0),
  };
  const ok = statuses["200"] ?? 0;
  if (ok === 0 || ok < requests * 0.99 || r.errors > 0) throw new Error(`port ${port} ${mode}: ${JSON.stringify(statuses)}, ${r.errors} errors`);
  // Server CPU is measured over the whole load (with the 0.5 s warm-up); requests counted over the window only.
  const total = requests * ((r.seconds + 0.5) / r.seconds);
  return { ...r, serverCpuPerReq: serverCpu / total, loadgenCpuPerReq: r.cpuMs / requests, loadgenCores: r.cpuMs / 1000 / r.seconds };
}

const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)];
const f2 = (n: number) => n.toFixed(2);

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
  let floor: ChildProcess | null = null;
  try {
    const setup = JSON.parse(await firstLine(gw, 180_000)) as { host: string; gatewayPort: number; workers: number; dir: string; cacert: string; ciphers: string; client: { cert: string; key: string } };
    const g = ["-p", setup.dir, "-c", path.join(setup.dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${setup.dir}/nginx.pid; user root;`];
    execFileSync(NGINX, ["-t", "-q", ...g], { stdio: "pipe" });
    nginx = spawn(NGINX, g, { stdio: "ignore" });
    // The floor: a bare Node TLS proxy of the gateway's shape (same workers, TLS options, certificate, undici pool).
    const floorPort = await freePort();
    floor = spawn(TSX, ["bench/gateway-floor-server.ts"], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env, FLOOR_PORT: String(floorPort), ORIGIN_URL: `http://127.0.0.1:${originPort}`, FLOOR_WORKERS: String(setup.workers),
        FLOOR_CERT: setup.cacert, FLOOR_KEY: path.join(setup.dir, "tls", "server.key"), FLOOR_CA: path.join(setup.dir, "client-ca.pem"), FLOOR_CIPHERS: setup.ciphers,
      },
    });
    await firstLine(floor, 60_000);
    await sleep(1000);
    const pids = { gw: gw.pid!, ng: nginx.pid!, fl: floor.pid! };
    const ports = { gw: setup.gatewayPort, ng: nginxPort, fl: floorPort };
    type Who = keyof typeof pids;
    const cores = os.availableParallelism();
    // Equal warm-up for all three (connections, JIT, caches), then ROUNDS rounds in rotating order.
    for (const who of ["gw", "ng", "fl"] as const) await load(ports[who], pids[who], setup, "keepalive");
    const runs = { gwHs: [] as Measured[], ngHs: [] as Measured[], flHs: [] as Measured[], gwKa: [] as Measured[], ngKa: [] as Measured[], flKa: [] as Measured[] };
    const orders: Who[][] = [["gw", "ng", "fl"], ["ng", "fl", "gw"], ["fl", "gw", "ng"]];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mi, mode] of (["handshake", "keepalive"] as const).entries()) {
        // Each server goes first, middle and last in turn (the modes start at different places in the rotation).
        for (const who of orders[(round + mi) % orders.length]) {
          runs[`${who}${mode === "handshake" ? "Hs" : "Ka"}`].push(await load(ports[who], pids[who], setup, mode));
        }
      }
    }
    // Each round's loads ran back to back: report the round with the median ratio to nginx (per server).
    const rounds = Array.from({ length: ROUNDS }, (_, i) => i);
    const hs = median(rounds, (i) => runs.gwHs[i].rps / runs.ngHs[i].rps);
    const ka = median(rounds, (i) => runs.gwKa[i].rps / runs.ngKa[i].rps);
    const fhs = median(rounds, (i) => runs.flHs[i].rps / runs.ngHs[i].rps);
    const fka = median(rounds, (i) => runs.flKa[i].rps / runs.ngKa[i].rps);
    const [gwHs, ngHs, gwKa, ngKa] = [runs.gwHs[hs], runs.ngHs[hs], runs.gwKa[ka], runs.ngKa[ka]];
    const [flHs, ngFHs, flKa, ngFKa] = [runs.flHs[fhs], runs.ngHs[fhs], runs.flKa[fka], runs.ngKa[fka]];
    const b = { benchmark: "gateway vs nginx", baselineName: "nginx, exported config (worker_processes auto)" };
    const fb = { benchmark: "Node TLS proxy floor (no policy, no log) vs nginx", baselineName: "nginx, exported config (worker_processes auto)" };
    const cpu = (g: Measured, n: Measured, name = "gateway") =>
      `CPU per request: ${name} ${f2(g.serverCpuPerReq)} ms vs nginx ${f2(n.serverCpuPerReq)} ms; load generator ${f2(g.loadgenCpuPerReq)} / ${f2(n.loadgenCpuPerReq)} ms, using ${f2(g.loadgenCores)} / ${f2(n.loadgenCores)} cores`;
    const all = (xs: Measured[]) => xs.map((m) => Math.round(m.rps)).join(", ");
    const ratios = (g: Measured[], n: Measured[]) => g.map((m, i) => `${f2(m.rps / n[i].rps)}×`).join(", ");
    const note =
      `${CONCURRENCY} concurrent clients over ${LOADGEN_PROCS} load generator process${LOADGEN_PROCS > 1 ? "es" : ""} × ${SECONDS} s, round with the median ratio of ${ROUNDS} rounds (gateway, nginx and the floor back to back, rotating order); ` +
      `RSA-2048 client cert (CN John Doe) allowed by a Service Auth policy; gateway = ${setup.workers > 1 ? `${setup.workers} worker processes + the primary (database, access log)` : "1 Node process (GATEWAY_WORKERS=1)"}, nginx = ${cores} workers; ` +
      `${cores} cores shared with the load generator`;
    const floorNote =
      `bench/gateway-floor-server.ts: ${setup.workers} node:cluster worker process${setup.workers > 1 ? "es" : ""}, the gateway's TLS options (ciphers, TLSv1.2+, requestCert with the same client CAs, not enforced) and server certificate, ` +
      `an undici keep-alive Pool to the same origin; no certificate validation, policy, access log or JWT; measured in the same rounds (median-ratio round of ${ROUNDS})`;
    return [
      { ...b, metric: "TLS handshakes/s (new connection per request)", ours: gwHs.rps, baseline: ngHs.rps, unit: "/s", better: "higher", target: "≥ 0.8× nginx", met: gwHs.rps >= 0.8 * ngHs.rps, note: `${note}; rounds gateway ${all(runs.gwHs)} vs nginx ${all(runs.ngHs)} (${ratios(runs.gwHs, runs.ngHs)}); ${cpu(gwHs, ngHs)}` },
      { ...b, metric: "handshake requests: p50 latency", ours: gwHs.p50, baseline: ngHs.p50, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "handshake requests: p99 latency", ours: gwHs.p99, baseline: ngHs.p99, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "keep-alive requests/s", ours: gwKa.rps, baseline: ngKa.rps, unit: "/s", better: "higher", target: "≥ 0.8× nginx", met: gwKa.rps >= 0.8 * ngKa.rps, note: `rounds gateway ${all(runs.gwKa)} vs nginx ${all(runs.ngKa)} (${ratios(runs.gwKa, runs.ngKa)}); ${cpu(gwKa, ngKa)}` },
      { ...b, metric: "keep-alive: p50 latency", ours: gwKa.p50, baseline: ngKa.p50, unit: "ms", better: "lower", target: "", met: null },
      { ...b, metric: "keep-alive: p99 latency", ours: gwKa.p99, baseline: ngKa.p99, unit: "ms", better: "lower", target: "", met: null },
      { ...fb, metric: "TLS handshakes/s (new connection per request)", ours: flHs.rps, baseline: ngFHs.rps, unit: "/s", better: "higher", target: "", met: null, note: `${floorNote}; rounds floor ${all(runs.flHs)} vs nginx ${all(runs.ngHs)} (${ratios(runs.flHs, runs.ngHs)}); ${cpu(flHs, ngFHs, "floor")}` },
      { ...fb, metric: "keep-alive requests/s", ours: flKa.rps, baseline: ngFKa.rps, unit: "/s", better: "higher", target: "", met: null, note: `rounds floor ${all(runs.flKa)} vs nginx ${all(runs.ngKa)} (${ratios(runs.flKa, runs.ngKa)}); ${cpu(flKa, ngFKa, "floor")}` },
    ];
  } finally {
    if (nginx && nginx.exitCode === null) nginx.kill("SIGQUIT");
    if (floor && floor.exitCode === null) floor.kill("SIGTERM");
    if (gw.exitCode === null) gw.kill("SIGTERM");
    origin.kill("SIGKILL");
    await sleep(1500);
    if (gw.exitCode === null) gw.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
