/**
 * Many hostnames (issue #18 §2): the node-engine gateway configured with 1,000 hostnames over 50 CAs and 1,000
 * applications (bench/many-hostnames-server.ts, every hostname's context compiled in every worker) against the same
 * gateway with one hostname: handshakes/s for one hostname (a new TLS connection per request, bench/loadgen.ts),
 * in rotating rounds; the resident memory of the gateway processes; and how long a policy change takes to reach
 * every worker (new connections, spread over the workers, until all of a batch see the change).
 * Target: the handshake rate drops by ≤ 10%; the change reaches every worker within 1 s.
 * Also, in the same rounds, the one-hostname gateway whose CA has a BENCH_MANY_CRL_ENTRIES-entry CRL (60,000; the
 * revocation is checked by lib/pki per request, memoised per chain and CRL): its handshake rate against the same
 * gateway with the seed's small CRL (target ≥ 0.9×); and the same pair on the nginx engine (GATEWAY_ENGINE=nginx,
 * nginx installed by the bench when missing), reported (nginx gets no CRLs: the request path decides revocation).
 *
 * Knobs: BENCH_MANY_HOSTS (1000), BENCH_MANY_CRL_ENTRIES (60000), BENCH_MANY_ROUNDS (5), BENCH_GW_SECONDS (5 per load),
 * BENCH_GW_CONCURRENCY (16), GATEWAY_WORKERS.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import https from "node:https";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { firstLine } from "./gateway";
import { ensurePackage } from "./gateway-peers";
import { freePort, ROOT } from "./lib/app";
import { treeRss } from "./lib/proc";
import type { Row } from "./lib/report";
import { sleep } from "./lib/timing";

const HOSTS = Number(process.env.BENCH_MANY_HOSTS ?? 1000);
const CRL_ENTRIES = Number(process.env.BENCH_MANY_CRL_ENTRIES ?? 60_000);
const ROUNDS = Math.max(1, Number(process.env.BENCH_MANY_ROUNDS ?? 5));
const SECONDS = Number(process.env.BENCH_GW_SECONDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_GW_CONCURRENCY ?? 16);
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const run = promisify(execFile);

interface Setup {
  host: string;
  port: number;
  workers: number;
  hosts: number;
  cas: number;
  cacert: string;
  client: { cert: string; key: string };
  warmMs: number;
  crlBytes: number;
}

const dataDirs: string[] = [];

/** `nginx`: the nginx binary for an nginx-engine gateway; null for the node engine. */
async function start(hosts: number, originUrl: string, crlEntries = 0, nginx: string | null = null): Promise<{ child: ChildProcess; setup: Setup }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-manydata-"));
  dataDirs.push(dataDir);
  const engine = nginx ? { ENGINE: "nginx", GATEWAY_NGINX_BIN: nginx } : { ENGINE: "node" };
  const child = spawn(TSX, ["bench/many-hostnames-server.ts"], { cwd: ROOT, env: { ...process.env, ...engine, HOSTS: String(hosts), CRL_ENTRIES: String(crlEntries), ORIGIN_URL: originUrl, PORTCULLIS_DATA_DIR: dataDir, DATABASE_URL: "" }, stdio: ["pipe", "pipe", "pipe"] });
  return { child, setup: JSON.parse(await firstLine(child, 600_000)) as Setup };
}

async function handshakes(s: Setup): Promise<number> {
  const arg = JSON.stringify({ port: s.port, host: s.host, cacert: s.cacert, cert: s.client.cert, key: s.client.key, mode: "handshake", concurrency: CONCURRENCY, seconds: SECONDS });
  const out = await run(TSX, ["bench/loadgen.ts", arg], { cwd: ROOT, encoding: "utf8", timeout: (SECONDS + 60) * 1000 });
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!) as { rps: number; requests: number; errors: number; statuses: Record<string, number> };
  if ((r.statuses["200"] ?? 0) < r.requests * 0.99 || r.errors) throw new Error(`${s.hosts} hostnames: ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
  return r.rps;
}

/** One request on a new connection with the seed client: its status. */
function status(s: Setup): Promise<number> {
  const tlsOpts = { ca: readFileSync(s.cacert), cert: readFileSync(s.client.cert), key: readFileSync(s.client.key), servername: s.host, ciphers: "DEFAULT:@SECLEVEL=0" };
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port: s.port, path: "/", headers: { host: s.host }, agent: false, ...tlsOpts }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

/** ms from the committed policy change until a batch of new connections (4 per worker) all get 403. */
async function propagation(child: ChildProcess, s: Setup): Promise<number> {
  const changed = new Promise<number>((resolve) => {
    child.stdout!.on("data", (d: Buffer) => {
      const m = String(d).match(/"changedAt":(\d+)/);
      if (m) resolve(Number(m[1]));
    });
  });
  child.stdin!.write("change\n");
  const at = await changed;
  for (;;) {
    const got = await Promise.all(Array.from({ length: s.workers * 4 }, () => status(s)));
    if (got.every((c) => c === 403)) return Date.now() - at;
    if (Date.now() - at > 30_000) throw new Error(`policy change not seen after 30 s: ${got.join(",")}`);
    await sleep(5);
  }
}

export async function runManyHostnames(): Promise<Row[]> {
  const originPort = await freePort();
  const origin = spawn(process.execPath, ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${originPort},'127.0.0.1')`], { stdio: "ignore" });
  const children: ChildProcess[] = [];
  try {
    const one = await start(1, `http://127.0.0.1:${originPort}`);
    children.push(one.child);
    const many = await start(HOSTS, `http://127.0.0.1:${originPort}`);
    children.push(many.child);
    const bigCrl = await start(1, `http://127.0.0.1:${originPort}`, CRL_ENTRIES);
    children.push(bigCrl.child);
    const NGINX = ensurePackage("nginx-light", ["/usr/sbin/nginx", "/usr/bin/nginx"], "nginx");
    const oneNginx = await start(1, `http://127.0.0.1:${originPort}`, 0, NGINX);
    children.push(oneNginx.child);
    const bigNginx = await start(1, `http://127.0.0.1:${originPort}`, CRL_ENTRIES, NGINX);
    children.push(bigNginx.child);
    const rss1 = treeRss(one.child.pid!);
    const rssN = treeRss(many.child.pid!);
    const r1: number[] = [];
    const rN: number[] = [];
    const rC: number[] = [];
    const r1x: number[] = [];
    const rCx: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      // Rotating order, so drift in the machine's load hits all of them.
      const order: [number[], Setup][] = [[rN, many.setup], [r1, one.setup], [rC, bigCrl.setup], [r1x, oneNginx.setup], [rCx, bigNginx.setup]];
      for (let k = 0; k < order.length; k++) {
        const [runs, setup] = order[(k + i) % order.length];
        runs.push(await handshakes(setup));
      }
    }
    const prop = await propagation(many.child, many.setup);
    // Each comparison from the round with its median ratio (the rounds' loads drift on a shared machine; a round's
    // measurements are adjacent in time), as the gateway benchmark does.
    const paired = (ours: number[], base = r1) => {
      const ratios = ours.map((x, i) => x / base[i]);
      const i = ratios.map((_, k) => k).sort((a, b) => ratios[a] - ratios[b])[Math.floor((ratios.length - 1) / 2)];
      return { ours: ours[i], base: base[i], ratios };
    };
    const n = paired(rN);
    const c = paired(rC);
    const cx = paired(rCx, r1x);
    const f2 = (xs: number[]) => xs.map((x) => `${x.toFixed(2)}×`).join(", ");
    const b = { benchmark: `gateway, ${HOSTS} hostnames (node engine, ${many.setup.workers} workers)`, better: "higher" as const };
    const mib = (n: number) => Math.round(n / 1048576);
    return [
      { ...b, metric: `handshakes/s for one hostname, ${HOSTS} hostnames / ${many.setup.cas} CAs / ${HOSTS} apps configured (round with the median ratio of ${ROUNDS})`, unit: "req/s", ours: n.ours, baselineName: "same gateway, one hostname configured", baseline: n.base,
        target: "≥ 0.9×", met: n.ours >= 0.9 * n.base, note: `rounds ${rN.map(Math.round).join(", ")} vs ${r1.map(Math.round).join(", ")} (${f2(n.ratios)}); every hostname compiled in every worker first (${many.setup.warmMs} ms)` },
      { ...b, benchmark: `gateway, large CRL (node engine, ${many.setup.workers} workers)`, metric: `handshakes/s, the hostname's CA with a ${CRL_ENTRIES.toLocaleString("en-US")}-entry CRL (${(bigCrl.setup.crlBytes / 1048576).toFixed(1)} MiB PEM; round with the median ratio of ${ROUNDS})`, unit: "req/s", ours: c.ours,
        baselineName: "same gateway, the seed's 1-entry CRL", baseline: c.base, target: "≥ 0.9×", met: c.ours >= 0.9 * c.base,
        note: `rounds ${rC.map(Math.round).join(", ")} vs ${r1.map(Math.round).join(", ")} (${f2(c.ratios)}); revocation is lib/pki's (CRL parsed once, verdict memoised per chain); the TLS context carries the CAs only` },
      { ...b, benchmark: `gateway, large CRL (nginx engine, ${bigNginx.setup.workers} workers)`, metric: `handshakes/s, the hostname's CA with a ${CRL_ENTRIES.toLocaleString("en-US")}-entry CRL (${(bigNginx.setup.crlBytes / 1048576).toFixed(1)} MiB PEM; round with the median ratio of ${ROUNDS})`, unit: "req/s", ours: cx.ours,
        baselineName: "same engine, the seed's 1-entry CRL", baseline: cx.base, target: "", met: null,
        note: `rounds ${rCx.map(Math.round).join(", ")} vs ${r1x.map(Math.round).join(", ")} (${f2(cx.ratios)}); nginx gets no CRLs, revocation is the request path's (lib/pki)` },
      { ...b, metric: "a policy change reaches every worker (new connections see it)", unit: "ms", better: "lower", ours: prop, baselineName: "", baseline: null, target: "≤ 1000 ms", met: prop <= 1000 },
      { ...b, metric: "resident memory of the gateway processes (primary + workers)", unit: "MiB", better: "lower", ours: mib(rssN), baselineName: "same gateway, one hostname configured", baseline: mib(rss1), target: "", met: null },
    ];
  } finally {
    for (const c of children) c.kill("SIGTERM");
    origin.kill("SIGTERM");
    await sleep(300);
    for (const d of dataDirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}
