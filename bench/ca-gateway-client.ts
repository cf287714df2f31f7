/**
 * A separate process that keeps requesting through the gateway for a while (one TLS connection per request, so every
 * request is a handshake and a decision) and reports every latency: the managed CA bench runs it once with nothing
 * else happening and once while the CRL is re-signed and reloaded, and compares requests/s and p50/p99.
 */
import { spawn } from "node:child_process";
import { percentile } from "./lib/timing";

export interface ClientRun {
  /** answered 502 (allowed; the application has no origin) */
  ok: number;
  /** answered something else (a refusal would be a wrong decision) */
  other: number;
  /** no HTTP answer */
  failed: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

const CODE = `
const tls = require("node:tls"); const fs = require("node:fs");
const [port, host, certF, keyF, ms] = process.argv.slice(1);
const cert = fs.readFileSync(certF), key = fs.readFileSync(keyF);
const start = Date.now(), end = start + Number(ms); const r = { ok: 0, other: 0, failed: 0, ms: [], wall: 0 };
const one = () => new Promise((done) => {
  const t0 = performance.now(); let data = "";
  const s = tls.connect({ host: "127.0.0.1", port: Number(port), servername: host, cert, key, rejectUnauthorized: false });
  s.setTimeout(15000, () => s.destroy());
  s.on("secureConnect", () => s.write("GET / HTTP/1.1\\r\\nHost: " + host + "\\r\\nConnection: close\\r\\n\\r\\n"));
  s.on("data", (c) => (data += c)); s.on("error", () => undefined);
  s.on("close", () => { const st = Number((/^HTTP\\/1\\.1 (\\d{3})/.exec(data) || [])[1] || 0);
    if (st === 502) r.ok++; else if (st) r.other++; else r.failed++; r.ms.push(performance.now() - t0); done(); });
});
(async () => { while (Date.now() < end) await one(); r.wall = Date.now() - start; process.stdout.write(JSON.stringify(r)); })();`;

/** Requests `host` through the gateway on `port` with the device certificate for `ms`, one connection at a time. */
export function runGatewayClient(port: number, host: string, certFile: string, keyFile: string, ms: number): Promise<ClientRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", CODE, String(port), host, certFile, keyFile, String(ms)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", () => {
      try {
        const r = JSON.parse(out) as { ok: number; other: number; failed: number; ms: number[]; wall: number };
        const sorted = r.ms.sort((a, b) => a - b);
        const round = (x: number) => Math.round(x * 10) / 10;
        resolve({ ok: r.ok, other: r.other, failed: r.failed, perSecond: round(r.ms.length / (r.wall / 1000)), p50: round(percentile(sorted, 50)), p99: round(percentile(sorted, 99)), max: round(sorted.at(-1) ?? 0) });
      } catch (e) {
        reject(e);
      }
    });
  });
}
