/**
 * The load generator for the gateway benchmark (one process, the same for both servers): HTTPS GETs with a client
 * certificate at a fixed concurrency for a fixed time. Mode "handshake": a new TLS connection per request (no
 * session resumption); "keepalive": persistent connections. Input: one JSON argument; output: one JSON line.
 */
import { readFileSync } from "node:fs";
import https from "node:https";
import { performance } from "node:perf_hooks";

interface Opts {
  port: number;
  host: string;
  cacert: string;
  cert: string;
  key: string;
  mode: "handshake" | "keepalive";
  concurrency: number;
  seconds: number;
  /** extra request headers (e.g. a CF_Authorization cookie) */
  headers?: Record<string, string>;
  /** every request to its own path ("/r/<counter>": the gateway keeps no query string) instead of "/" */
  distinctPaths?: boolean;
}

const o = JSON.parse(process.argv[2]) as Opts;
const tlsOpts = { ca: readFileSync(o.cacert), cert: readFileSync(o.cert), key: readFileSync(o.key), servername: o.host, ciphers: "DEFAULT:@SECLEVEL=0" };
const agent = new https.Agent({ ...tlsOpts, keepAlive: o.mode === "keepalive", maxSockets: o.concurrency, maxCachedSessions: 0 });

let sent = 0;
function one(): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: "127.0.0.1", port: o.port, path: o.distinctPaths ? `/r/${sent++}` : "/", method: "GET", headers: { ...o.headers, host: o.host }, agent, ...tlsOpts }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end();
  });
}

async function main() {
  const lat: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const warmEnd = performance.now() + 500;
  const end = warmEnd + o.seconds * 1000;
  let start = 0;
  const worker = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= end) return;
      try {
        const s = await one();
        if (t0 >= warmEnd) {
          lat.push(performance.now() - t0);
          statuses[s] = (statuses[s] ?? 0) + 1;
        }
      } catch {
        if (t0 >= warmEnd) errors++;
      }
    }
  };
  let cpu0 = process.cpuUsage();
  setTimeout(() => {
    start = performance.now();
    cpu0 = process.cpuUsage();
  }, 500);
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const secs = (performance.now() - (start || warmEnd)) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const pct = (p: number) => lat[Math.min(lat.length - 1, Math.max(0, Math.ceil((p / 100) * lat.length) - 1))] ?? NaN;
  console.log(JSON.stringify({ rps: lat.length / secs, requests: lat.length, errors, statuses, p50: pct(50), p99: pct(99), seconds: secs, cpuMs: (cpu.user + cpu.system) / 1000 }));
  agent.destroy();
}

void main();
