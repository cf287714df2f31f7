#!/usr/bin/env node
/**
 * Serves the production build like `next start` (PORT, HOSTNAME, NEXT_DIST_DIR), through a plain Node
 * http server so that the app learns the real client address. `next start` only fills in
 * X-Forwarded-For when the client did not send one, so any client could choose the address that the
 * audit log and the sign-in throttle record. Here, unless PORTCULLIS_TRUST_PROXY is set (a reverse proxy
 * in front sets these headers), X-Forwarded-For is overwritten with the socket's address and X-Real-IP is
 * dropped before Next.js sees the request.
 */
import { createServer } from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exitOnInvalidEnv } from "../lib/env.mjs";

// Before Next.js loads: a bad value stops the start with one line (lib/env.mjs).
const config = exitOnInvalidEnv();
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
process.env.NODE_ENV = "production";
process.env.NEXT_TELEMETRY_DISABLED ??= "1";

const port = config.PORT ?? 3000;
const host = config.HOSTNAME || "0.0.0.0";
const trustProxy = config.PORTCULLIS_TRUST_PROXY ?? false;

const CLIENT_HEADERS = new Set(["x-forwarded-for", "x-real-ip"]);

/** Replace whatever the client claimed with the address of the socket it connected from. */
function pinClientAddress(req) {
  const address = (req.socket.remoteAddress ?? "").replace(/^::ffff:/, "");
  delete req.headers["x-real-ip"];
  req.headers["x-forwarded-for"] = address;
  const raw = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!CLIENT_HEADERS.has(req.rawHeaders[i].toLowerCase())) raw.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  raw.push("X-Forwarded-For", address);
  req.rawHeaders.splice(0, req.rawHeaders.length, ...raw);
}

const { default: next } = await import("next");
const app = next({ dev: false, dir: root, hostname: host, port });
await app.prepare();
const handle = app.getRequestHandler();

const server = createServer((req, res) => {
  if (!trustProxy) pinClientAddress(req);
  handle(req, res).catch((err) => {
    console.error("[portcullis] request failed:", err);
    if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
    res.end("Internal server error\n");
  });
});
server.on("error", (err) => {
  console.error(`[portcullis] cannot listen on ${host}:${port}: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const shown = host === "0.0.0.0" || host === "::" ? "localhost" : host;
  console.log(`✓ Ready on http://${shown}:${port}${trustProxy ? " (client addresses from X-Forwarded-For: PORTCULLIS_TRUST_PROXY is set)" : ""}`);
});
/** The app's own stop (lib/server/startup `stopServerServices`): the gateway and the access-log rows still queued. */
const STOP_TIMEOUT_MS = 10_000;
let stopping = false;
for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]]) {
  process.on(sig, () => {
    // A second signal while stopping: at once.
    if (stopping) process.exit(code);
    stopping = true;
    server.close();
    const stop = globalThis.__portcullisStop;
    const timeout = new Promise((resolve) => setTimeout(resolve, STOP_TIMEOUT_MS));
    Promise.race([Promise.resolve(stop?.()), timeout])
      .catch((err) => console.error("[portcullis] stopping failed:", err))
      .finally(() => process.exit(code));
  });
}
