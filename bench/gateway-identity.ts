/**
 * The gateway with a sign-in session against its certificate-only path, in the same rounds on the same machine
 * (issue #15): keep-alive requests/s through the Portcullis gateway (GATEWAY_WORKERS processes) with the seed's client
 * certificate, (a) to an application whose Service Auth policy reads the certificate's Common Name, and (b) to one
 * whose Allow policy needs a signed-in email and a valid certificate (mTLS as a second factor), the request carrying a
 * CF_Authorization cookie: its JWT is verified per request through the session cache (lib/gateway/identity/session)
 * and forwarded to the origin as the assertion. Same load generator (bench/loadgen.ts), same origin; the two loads
 * alternate in each round (order rotating); the ratio is reported from the round with the median ratio.
 * Target: (b) ≥ 0.9× (a).
 *
 * Knobs: BENCH_ID_CONCURRENCY (16), BENCH_ID_SECONDS (5 per load), BENCH_ID_ROUNDS (5), GATEWAY_WORKERS.
 */
import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { firstLine } from "./gateway";
import { freePort, ROOT } from "./lib/app";
import type { Row } from "./lib/report";
import { sleep } from "./lib/timing";

const CONCURRENCY = Number(process.env.BENCH_ID_CONCURRENCY ?? 16);
const SECONDS = Number(process.env.BENCH_ID_SECONDS ?? 5);
const ROUNDS = Math.max(1, Number(process.env.BENCH_ID_ROUNDS ?? 5));
const TSX = path.join(ROOT, "node_modules/.bin/tsx");
const run = promisify(execFile);

interface Setup {
  certHost: string;
  staffHost: string;
  port: number;
  workers: number;
  cacert: string;
  client: { cert: string; key: string };
  cookie: string;
}

interface Load {
  rps: number;
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
}

async function load(s: Setup, host: string, headers: Record<string, string>): Promise<Load> {
  const arg = JSON.stringify({ port: s.port, host, cacert: s.cacert, cert: s.client.cert, key: s.client.key, mode: "keepalive", concurrency: CONCURRENCY, seconds: SECONDS, headers });
  const out = await run(TSX, ["bench/loadgen.ts", arg], { cwd: ROOT, encoding: "utf8", timeout: (SECONDS + 60) * 1000 });
  const r = JSON.parse(out.stdout.trim().split("\n").pop()!) as Load;
  const ok = r.statuses["200"] ?? 0;
  // Every request must have been let in (a refused cookie would be a 302/401, a cheaper answer).
  if (ok === 0 || ok < r.requests || r.errors > 0) throw new Error(`${host}: ${JSON.stringify(r.statuses)}, ${r.errors} errors`);
  return r;
}

const f0 = (n: number) => Math.round(n).toLocaleString("en-US");
const f2 = (n: number) => n.toFixed(2);

export async function runGatewayIdentity(): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-id-data-"));
  const originPort = await freePort();
  const origin = spawn(process.execPath, ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${originPort},'127.0.0.1')`], { stdio: "ignore" });
  const gw = spawn(TSX, ["bench/gateway-identity-server.ts"], {
    cwd: ROOT,
    env: { ...process.env, PORTCULLIS_DATA_DIR: dataDir, ORIGIN_URL: `http://127.0.0.1:${originPort}`, DATABASE_URL: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  try {
    const setup = JSON.parse(await firstLine(gw, 180_000)) as Setup;
    await sleep(500);
    const certOnly = () => load(setup, setup.certHost, {});
    const withCookie = () => load(setup, setup.staffHost, { cookie: setup.cookie, accept: "text/html" });
    // Warm both paths (first sight of the chain and of the token) before measuring.
    await certOnly();
    await withCookie();
    const rounds: { cert: Load; cookie: Load; ratio: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      let cert: Load;
      let cookie: Load;
      if (i % 2 === 0) {
        cert = await certOnly();
        cookie = await withCookie();
      } else {
        cookie = await withCookie();
        cert = await certOnly();
      }
      rounds.push({ cert, cookie, ratio: cookie.rps / cert.rps });
      console.log(`  round ${i + 1}: certificate only ${f0(cert.rps)}/s, with CF_Authorization ${f0(cookie.rps)}/s (${f2(cookie.rps / cert.rps)}×)`);
    }
    const m = [...rounds].sort((a, b) => a.ratio - b.ratio)[Math.floor((rounds.length - 1) / 2)];
    const ratios = rounds.map((r) => f2(r.ratio)).join(", ");
    return [
      {
        benchmark: "Gateway keep-alive with a sign-in session",
        metric: `requests/s with a CF_Authorization cookie (JWT verified per request through the session cache; email + Valid Certificate policy), ${CONCURRENCY} connections, ${setup.workers} worker${setup.workers === 1 ? "" : "s"}`,
        ours: Math.round(m.cookie.rps),
        unit: "req/s",
        baselineName: "the certificate-only path (Common Name policy), same rounds",
        baseline: Math.round(m.cert.rps),
        better: "higher",
        target: "≥ 0.9× the certificate-only path",
        met: m.ratio >= 0.9,
        note: `${f2(m.ratio)}× (median of ${ROUNDS} rounds, each ${SECONDS} s per load, order alternating; ratios ${ratios}); p50 ${f2(m.cookie.p50)} / ${f2(m.cert.p50)} ms, p99 ${f2(m.cookie.p99)} / ${f2(m.cert.p99)} ms`,
      },
    ];
  } finally {
    gw.kill("SIGTERM");
    origin.kill("SIGKILL");
    await sleep(500);
    if (gw.exitCode === null) gw.kill("SIGKILL");
    rmSync(dataDir, { recursive: true, force: true });
  }
}
