/**
 * Child process of bench/gateway.ts: the floor for the gateway — a bare Node.js TLS terminator of the same shape as
 * the Portcullis gateway (GATEWAY_WORKERS worker processes sharing the port via node:cluster with SCHED_NONE and
 * UV_TCP_SINGLE_ACCEPT, the same TLS options — ciphers, minimum version, requestCert with the hostname's CA so the
 * handshake asks for and receives the same client chain — and the same server certificate, and an undici keep-alive
 * Pool to the same origin whose dispatch handler writes the origin's headers and body into the client's response),
 * but no certificate validation beyond OpenSSL's (not enforced), no policy, no access log, no JWT. It shows how much
 * of the gateway-vs-nginx gap is Node's own TLS/HTTP stack.
 *
 * Environment (set by bench/gateway.ts from the gateway's own setup, so nothing here drifts from it): FLOOR_PORT,
 * ORIGIN_URL, FLOOR_CERT / FLOOR_KEY / FLOOR_CA (PEM files), FLOOR_CIPHERS (lib/gateway's GATEWAY_CIPHERS),
 * FLOOR_WORKERS (the gateway's worker count). Imports nothing from lib/ (no database code in these processes).
 * The primary prints one JSON line ({"port", "workers"}) once every worker listens, then serves until SIGTERM.
 */
import cluster from "node:cluster";
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import { readFileSync } from "node:fs";
import { Pool, type Dispatcher } from "undici";

const port = Number(process.env.FLOOR_PORT);

/** Hop-by-hop headers (RFC 9110 §7.6.1) are not forwarded in either direction. */
const HOP = new Set(["connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer"]);

class Handler implements Dispatcher.DispatchHandler {
  private resume: (() => void) | null = null;
  constructor(private readonly res: ServerResponse) {}
  onConnect(abort: (err?: Error) => void): void {
    if (this.res.destroyed) abort();
  }
  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    if (statusCode < 200) return true;
    const out: string[] = [];
    for (let i = 0; i < raw.length; i += 2) {
      const name = raw[i].toString("latin1");
      if (!HOP.has(name.toLowerCase())) out.push(name, raw[i + 1].toString("latin1"));
    }
    this.resume = resume;
    this.res.writeHead(statusCode, statusText || undefined, out);
    return true;
  }
  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once("drain", () => this.resume?.());
    return false;
  }
  onComplete(): void {
    this.res.end();
  }
  onError(): void {
    if (!this.res.headersSent && !this.res.destroyed) {
      this.res.writeHead(502, { "content-type": "text/plain" });
      this.res.end("bad gateway");
    } else this.res.destroy();
  }
}

function worker() {
  // The gateway's Pool options (lib/gateway/upstream.ts with its default origin timeout, lib/gateway/limits.ts).
  const pool = new Pool(new URL(process.env.ORIGIN_URL!).origin, { connections: 256, headersTimeout: 100_000, bodyTimeout: 0 });
  const server = https.createServer(
    {
      cert: readFileSync(process.env.FLOOR_CERT!, "utf8"),
      key: readFileSync(process.env.FLOOR_KEY!, "utf8"),
      ca: readFileSync(process.env.FLOOR_CA!, "utf8"),
      ciphers: process.env.FLOOR_CIPHERS!,
      minVersion: "TLSv1.2",
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req: IncomingMessage, res: ServerResponse) => {
      const headers: IncomingHttpHeaders = {};
      for (const [k, v] of Object.entries(req.headers)) if (!HOP.has(k) && k !== "expect") headers[k] = v;
      headers["x-forwarded-for"] = req.socket.remoteAddress ?? "";
      headers["x-forwarded-proto"] = "https";
      const body = req.headers["content-length"] === undefined && req.headers["transfer-encoding"] === undefined ? null : req;
      pool.dispatch({ method: req.method ?? "GET", path: req.url || "/", headers: headers as Record<string, string | string[]>, body }, new Handler(res));
    },
  );
  server.on("tlsClientError", () => undefined);
  server.listen(port, "127.0.0.1", () => process.send?.({ t: "ready" }));
  process.on("disconnect", () => process.exit(0));
}

function primary() {
  const count = Number(process.env.FLOOR_WORKERS);
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  const execArgv = process.execArgv.some((a) => a.includes("tsx")) ? process.execArgv : [...process.execArgv, "--import", "tsx"];
  cluster.setupPrimary({ execArgv });
  let ready = 0;
  for (let i = 0; i < count; i++) {
    const w = cluster.fork({ UV_TCP_SINGLE_ACCEPT: process.env.UV_TCP_SINGLE_ACCEPT ?? "1" });
    w.on("message", (m: { t?: string }) => {
      if (m.t === "ready" && ++ready === count) console.log(JSON.stringify({ port, workers: count }));
    });
    w.on("exit", (code) => {
      console.error(`floor worker exited with ${code}`);
      process.exit(1);
    });
  }
  process.once("SIGTERM", () => {
    for (const w of Object.values(cluster.workers ?? {})) w?.removeAllListeners("exit").kill();
    process.exit(0);
  });
}

if (cluster.isPrimary) primary();
else worker();
