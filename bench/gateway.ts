/**
 * The gateway against its peers, in the same rounds on the same machine: the Portcullis gateway with the node engine
 * (GATEWAY_WORKERS processes, default one per core; full lib/pki + lib/access evaluation per request, PGlite access
 * log written by the primary) and with the nginx engine (GATEWAY_ENGINE=nginx: nginx terminates TLS, the same request
 * path behind it), nginx running the configuration Portcullis exports, Caddy and HAProxy (bench/gateway-peers.ts:
 * client certificate required and verified against the same CA chain), and a floor — bench/gateway-floor-server.ts,
 * a bare Node TLS proxy of the gateway's shape without validation, policy, access log or JWT. All serve the same
 * server certificate and proxy to the same bare origin, driven by the same load generator (bench/loadgen.ts):
 * handshakes/s (a new TLS connection per request) and keep-alive requests/s with the seed's client certificate (every
 * request to "/", so the gateway folds a second's identical requests into one access-log row, lib/domain/access-log/
 * fold; for the node engine and its floor also with every request to a different path, where nothing folds),
 * p50/p99 latency, and the CPU time each server (all its processes) and the load generator spent per request (for
 * Portcullis, also the part its primary process spent: the database and the access log, which no peer has).
 * Targets (issue #18): nginx engine ≥ 1.1× Caddy on both and ≥ 0.8× nginx; node engine ≥ 0.9× the floor.
 *
 * Knobs: BENCH_GW_CONCURRENCY (16, total over the load generator processes), BENCH_GW_SECONDS (5 per load),
 * BENCH_GW_ROUNDS (7; each round runs the six servers back to back, in rotating order; each ratio is reported from
 * the round with its median ratio), BENCH_GW_LOADGEN_PROCS (load generator processes, default 1), GATEWAY_WORKERS,
 * BENCH_GW_ONLY (a comma-separated subset of gw, gn, ng, fl, ca, hp: only those servers, only the rows of their pairs).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import os from "node:os";
import path from "node:path";
import { ensurePackage, startCaddy, startHaproxy } from "./gateway-peers";
import { freePort, ROOT } from "./lib/app";
import { ownCpuMs, settle, treeCpuMs } from "./lib/proc";
import type { Row } from "./lib/report";
import { sleep } from "./lib/timing";

const CONCURRENCY = Number(process.env.BENCH_GW_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_GW_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_GW_ROUNDS ?? 7));
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
  /** of it, a Portcullis engine's primary process alone (the database and the access log); 0 for the others */
  primaryCpuPerReq: number;
  loadgenCpuPerReq: number;
  /** load generator CPU use in cores (1.0 = one core busy) */
  loadgenCores: number;
  /** keep-alive loads: the client connections held by each of the server's processes halfway through, largest first ("12/4") */
  split: string;
}

/** The child's first JSON line on stdout (its setup), or its stderr when it exits or stays silent. */
export function firstLine(child: ChildProcess, timeoutMs: number): Promise<string> {
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

/** "distinct": keep-alive with every request to its own path (no two requests alike, so none share an access-log row). */
type Mode = "handshake" | "keepalive" | "distinct";
const MODE_KEY = { handshake: "Hs", keepalive: "Ka", distinct: "Kd" } as const;
type ModeKey = (typeof MODE_KEY)[Mode];

/**
 * The server's open client connections per process, largest first ("12/4"; "16" when one process holds them all, as
 * in a threaded server). Node's and nginx's worker processes share the listening socket and race for each new
 * connection, so how a keep-alive load's connections land is chance, and on 2 cores shared with the load generator
 * it moves the rate by more than the gap between two servers: one process holding them all spends the least CPU
 * per request. Shown per round so a ratio can be read against it.
 */
async function connectionSplit(port: number): Promise<string> {
  try {
    const { stdout } = await run("ss", ["-tnpH", "state", "established", `( sport = :${port} )`], { encoding: "utf8" });
    const per = new Map<string, number>();
    for (const line of stdout.split("\n")) {
      const pid = /pid=(\d+)/.exec(line)?.[1];
      if (pid) per.set(pid, (per.get(pid) ?? 0) + 1);
    }
    return [...per.values()].sort((a, b) => b - a).join("/") || "?";
  } catch {
    return "?";
  }
}

async function load(port: number, serverPid: number, setup: { host: string; cacert: string; client: { cert: string; key: string } }, mode: Mode, primaryPid = 0): Promise<Measured> {
  // The total concurrency is split over the load generator processes (the same split for both servers).
  const per = Array.from({ length: LOADGEN_PROCS }, (_, i) => Math.floor(CONCURRENCY / LOADGEN_PROCS) + (i < CONCURRENCY % LOADGEN_PROCS ? 1 : 0));
  const cpu0 = treeCpuMs(serverPid);
  const primary0 = primaryPid ? ownCpuMs(primaryPid) : 0;
  const loads = Promise.all(
    per.map((concurrency) => {
      const arg = JSON.stringify({ port, host: setup.host, cacert: setup.cacert, cert: setup.client.cert, key: setup.client.key, mode: mode === "distinct" ? "keepalive" : mode, distinctPaths: mode === "distinct", concurrency, seconds: SECONDS });
      return run(TSX, ["bench/loadgen.ts", arg], { cwd: ROOT, encoding: "utf8", timeout: (SECONDS + 60) * 1000 });
    }),
  );
  // Handled here too: a load generator that fails during the wait below would otherwise be an unhandled rejection
  // (the process would exit) instead of the error `await loads` reports.
  loads.catch(() => undefined);
  // Halfway through the measured window (after the load generator's start-up and its half-second warm-up).
  const split = mode === "handshake" ? "" : await sleep(1000 + (SECONDS * 1000) / 2).then(() => connectionSplit(port));
  const outs = await loads;
  // Until the server has finished what the load left it (a Portcullis engine writes its access-log rows behind the
  // requests): that work is counted as this server's, and does not run into the next server's load. A row reaches the
  // database up to 1.25 s after its request (a worker's 250 ms batch, the primary's insert once a second), so the
  // server must stay quiet for 1.4 s. (An idle engine's configuration poll, about every 500 ms, stays under `settle`'s
  // one tick per 200 ms.)
  await settle([serverPid], 7);
  const serverCpu = treeCpuMs(serverPid) - cpu0;
  const primaryCpu = primaryPid ? ownCpuMs(primaryPid) - primary0 : 0;
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
  return { ...r, serverCpuPerReq: serverCpu / total, primaryCpuPerReq: primaryCpu / total, loadgenCpuPerReq: r.cpuMs / requests, loadgenCores: r.cpuMs / 1000 / r.seconds, split };
}

const median = <T>(xs: T[], key: (x: T) => number): T => [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)];
const f2 = (n: number) => n.toFixed(2);
const f3 = (n: number) => n.toFixed(3);

/** The servers measured in the same rounds, in their first-round order. */
const SERVERS = {
  gw: "Portcullis, node engine",
  gn: "Portcullis, nginx engine",
  ng: "nginx, exported config",
  fl: "Node TLS proxy floor",
  ca: "Caddy",
  hp: "HAProxy",
} as const;
type Who = keyof typeof SERVERS;
/** BENCH_GW_ONLY (e.g. "gn,ng,ca"): measure only these servers (quick runs; the rows need both servers of a pair). */
const ONLY = (process.env.BENCH_GW_ONLY ?? "").split(",").map((w) => w.trim()).filter((w): w is Who => w in SERVERS);
const WHO = (ONLY.length ? ONLY : Object.keys(SERVERS)) as Who[];

export async function runGateway(): Promise<Row[]> {
  const NGINX = ensurePackage("nginx-light", ["/usr/sbin/nginx", "/usr/bin/nginx"], "nginx");
  const CADDY = ensurePackage("caddy", ["/usr/bin/caddy", "/usr/local/bin/caddy"], "caddy");
  const HAPROXY = ensurePackage("haproxy", ["/usr/sbin/haproxy", "/usr/local/sbin/haproxy"], "haproxy");
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-gwdata-"));
  const originPort = await freePort();
  const nginxPort = await freePort();
  const origin = spawn(process.execPath, ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${originPort},'127.0.0.1')`], { stdio: "ignore" });
  const gw = spawn(TSX, ["bench/gateway-server.ts"], {
    cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, PORTCULLIS_DATA_DIR: dataDir, ORIGIN_URL: `http://127.0.0.1:${originPort}`, NGINX_PORT: String(nginxPort), DATABASE_URL: "", GATEWAY_NGINX_BIN: NGINX },
  });
  const children: ChildProcess[] = [];
  try {
    const setup = JSON.parse(await firstLine(gw, 180_000)) as { host: string; gatewayPort: number; nginxEnginePort: number; workers: number; dir: string; cacert: string; ciphers: string; client: { cert: string; key: string }; pid: number };
    const g = ["-p", setup.dir, "-c", path.join(setup.dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${setup.dir}/nginx.pid; user root;`];
    execFileSync(NGINX, ["-t", "-q", ...g], { stdio: "pipe" });
    const nginx = spawn(NGINX, g, { stdio: "ignore" });
    children.push(nginx);
    // The floor: a bare Node TLS proxy of the gateway's shape (same workers, TLS options, certificate, undici pool).
    const floorPort = await freePort();
    const serverKey = path.join(setup.dir, "tls", "server.key");
    const clientCa = path.join(setup.dir, "client-ca.pem");
    const floor = spawn(TSX, ["bench/gateway-floor-server.ts"], {
      cwd: ROOT, stdio: ["ignore", "pipe", "pipe"],
      env: {
        ...process.env, FLOOR_PORT: String(floorPort), ORIGIN_URL: `http://127.0.0.1:${originPort}`, FLOOR_WORKERS: String(setup.workers),
        FLOOR_CERT: setup.cacert, FLOOR_KEY: serverKey, FLOOR_CA: clientCa, FLOOR_CIPHERS: setup.ciphers,
      },
    });
    children.push(floor);
    await firstLine(floor, 60_000);
    const cores = os.availableParallelism();
    const peerFiles = { dir: setup.dir, cert: setup.cacert, key: serverKey, ca: clientCa, host: setup.host, originPort };
    const [caddyPort, haproxyPort] = [await freePort(), await freePort()];
    const caddy = await startCaddy(CADDY, peerFiles, caddyPort, cores);
    children.push(caddy);
    const haproxy = await startHaproxy(HAPROXY, peerFiles, haproxyPort, cores);
    children.push(haproxy);
    await sleep(1000);
    // Both Portcullis engines live under the bench's gateway process (one database): its tree's CPU is theirs.
    const pids: Record<Who, number> = { gw: gw.pid!, gn: gw.pid!, ng: nginx.pid!, fl: floor.pid!, ca: caddy.pid!, hp: haproxy.pid! };
    const ports: Record<Who, number> = { gw: setup.gatewayPort, gn: setup.nginxEnginePort, ng: nginxPort, fl: floorPort, ca: caddyPort, hp: haproxyPort };
    // Equal warm-up for all (connections, JIT, caches) in both loads, then ROUNDS rounds in rotating order. A
    // keep-alive load alone leaves a Node server's new-connection path (TLS accept, the peer chain, a connection's
    // first request) to be optimised by V8 during the first rounds: measured on the node engine after 2 s of new
    // connections, V8 optimised 283 functions in the gateway's processes in the next 8 s, and its CPU per connection
    // was 0.09–0.16 ms above the floor's; after 15 s the two were equal (0.46 ms). Steady state is what a gateway serves.
    // Portcullis's primary process (both engines' database and access log), measured on its own as well.
    const primary = (who: Who) => (who === "gw" || who === "gn" ? setup.pid : 0);
    for (const who of WHO) for (const mode of ["keepalive", "handshake"] as const) await load(ports[who], pids[who], setup, mode, primary(who));
    const runs = Object.fromEntries(WHO.flatMap((w) => Object.values(MODE_KEY).map((k) => [`${w}${k}`, [] as Measured[]]))) as Record<`${Who}${ModeKey}`, Measured[]>;
    // Distinct paths only for the node engine and its floor: the cost of a log row per request, where none fold.
    const distinctWho = WHO.includes("gw") && WHO.includes("fl") ? (["gw", "fl"] as Who[]) : [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [mi, mode] of (["handshake", "keepalive", "distinct"] as const).entries()) {
        const who = mode === "distinct" ? distinctWho : WHO;
        if (!who.length) continue;
        // Each server goes first, middle and last in turn (the modes start at different places in the rotation).
        const shift = (round + mi) % who.length;
        for (const w of [...who.slice(shift), ...who.slice(0, shift)]) runs[`${w}${MODE_KEY[mode]}`].push(await load(ports[w], pids[w], setup, mode, primary(w)));
      }
    }
    const note =
      `${CONCURRENCY} concurrent clients over ${LOADGEN_PROCS} load generator process${LOADGEN_PROCS > 1 ? "es" : ""} × ${SECONDS} s per load, ${ROUNDS} rounds (${WHO.length === 6 ? "all six" : WHO.join(", ")} servers back to back, rotating order), each ratio from the round with its median ratio; ` +
      `RSA-2048 client cert (CN John Doe) allowed by a Service Auth policy; the same ECDSA P-256 server certificate and client CA chain everywhere; ` +
      `node engine = ${setup.workers > 1 ? `${setup.workers} worker processes + the primary (database, access log)` : "1 Node process"}; nginx engine = nginx (${setup.workers} workers) + ${setup.workers} request-path process${setup.workers > 1 ? "es" : ""} on a unix socket; ` +
      `nginx, Caddy (GOMAXPROCS ${cores}) and HAProxy (nbthread ${cores}) as their Debian packages; floor = bench/gateway-floor-server.ts; ${cores} cores shared with the load generator`;
    return compare(runs, note);
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill(c === children[0] ? "SIGQUIT" : "SIGTERM");
    if (gw.exitCode === null) gw.kill("SIGTERM");
    origin.kill("SIGKILL");
    await sleep(1500);
    for (const c of [gw, ...children]) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The rows: the targets of issue #18 (nginx engine vs Caddy and nginx, node engine vs the floor), then the peers. */
function compare(runs: Record<`${Who}${ModeKey}`, Measured[]>, note: string): Row[] {
  const rounds = Array.from({ length: ROUNDS }, (_, i) => i);
  const rows: Row[] = [];
  const METRICS: Record<ModeKey, string> = {
    Hs: "TLS handshakes/s (new connection per request)",
    Ka: "keep-alive requests/s",
    Kd: "keep-alive requests/s, every request a different path (none share an access-log row)",
  };
  const pair = (a: Who, b: Who, target: number | null, first = false, modes: ModeKey[] = ["Hs", "Ka"]) => {
    if (!WHO.includes(a) || !WHO.includes(b)) return;
    const benchmark = `gateway: ${SERVERS[a]} vs ${SERVERS[b]}`;
    for (const mode of modes) {
      const metric = METRICS[mode];
      const xs = runs[`${a}${mode}`];
      const ys = runs[`${b}${mode}`];
      const i = median(rounds, (r) => xs[r].rps / ys[r].rps);
      const [x, y] = [xs[i], ys[i]];
      const all = (ms: Measured[]) => ms.map((m) => Math.round(m.rps)).join(", ");
      const rowNote =
        `${first && mode === "Hs" ? `${note}; ` : ""}rounds ${all(xs)} vs ${all(ys)} (${xs.map((m, r) => `${f2(m.rps / ys[r].rps)}×`).join(", ")}); ` +
        `p50 ${f2(x.p50)} / ${f2(y.p50)} ms, p99 ${f2(x.p99)} / ${f2(y.p99)} ms; CPU per request ${f2(x.serverCpuPerReq)} / ${f2(y.serverCpuPerReq)} ms` +
        `${a === "gw" || a === "gn" ? `, of which ${f3(x.primaryCpuPerReq)} ms in Portcullis's primary process (database, access log)` : ""}` +
        ` (load generator ${f2(x.loadgenCpuPerReq)} / ${f2(y.loadgenCpuPerReq)} ms, ${f2(x.loadgenCores)} / ${f2(y.loadgenCores)} cores)` +
        (mode === "Hs" ? "" : `; connections per server process by round ${xs.map((m) => m.split).join(", ")} vs ${ys.map((m) => m.split).join(", ")}`);
      const t = target === null ? "" : `≥ ${target}× ${SERVERS[b]}`;
      rows.push({ benchmark, baselineName: SERVERS[b], metric, ours: x.rps, baseline: y.rps, unit: "/s", better: "higher", target: t, met: target === null ? null : x.rps >= target * y.rps, note: rowNote });
      rows.push({ benchmark, baselineName: SERVERS[b], metric: `${mode === "Hs" ? "handshake" : mode === "Ka" ? "keep-alive" : "keep-alive, distinct paths"}: p50 / p99 latency`, ours: x.p50, baseline: y.p50, unit: "ms", better: "lower", target: "", met: null, note: `p99 ${f2(x.p99)} vs ${f2(y.p99)} ms` });
    }
  };
  pair("gn", "ca", 1.1, true);
  pair("gn", "ng", 0.8);
  pair("gw", "fl", 0.9);
  pair("gw", "fl", null, false, ["Kd"]);
  pair("gw", "ng", null);
  pair("gw", "ca", null);
  pair("ca", "ng", null);
  pair("hp", "ng", null);
  pair("fl", "ng", null);
  return rows;
}
