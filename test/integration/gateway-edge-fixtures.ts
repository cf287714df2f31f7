/**
 * Origins and a raw TLS client for the gateway edge tests: an origin that is down (a closed port), one that accepts
 * and never answers, one that resets mid-response, and a WebSocket origin that records upgrades and echoes frames.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import http, { type IncomingHttpHeaders } from "node:http";
import net, { type AddressInfo } from "node:net";
import tls from "node:tls";
import type { ClientCert } from "./gateway-fixtures";

export interface RawResult {
  /** everything received, as latin1 text */
  data: string;
  raw: Buffer;
  /** the server closed the connection (false: still open when `waitMs` ran out) */
  closed: boolean;
}

/** Raw bytes over TLS (or a function driving the socket); collects the answer until the server closes or `waitMs`. */
export function rawTls(o: { port: number; servername: string; cert?: ClientCert; bytes: string | Buffer | ((s: tls.TLSSocket) => void); waitMs?: number }): Promise<RawResult> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: "127.0.0.1",
      port: o.port,
      servername: o.servername,
      rejectUnauthorized: false,
      ...(o.cert ? { cert: readFileSync(o.cert.cert), key: readFileSync(o.cert.key) } : {}),
    });
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const raw = Buffer.concat(chunks);
      resolve({ data: raw.toString("latin1"), raw, closed });
      s.destroy();
    };
    const timer = setTimeout(() => finish(false), o.waitMs ?? 10_000);
    s.on("secureConnect", () => (typeof o.bytes === "function" ? o.bytes(s) : s.write(o.bytes)));
    s.on("data", (c: Buffer) => chunks.push(c));
    s.on("error", () => undefined);
    s.on("close", () => finish(true));
  });
}

/** One unfragmented WebSocket text frame (< 126 bytes), masked as a client sends it or plain as a server does. */
export function wsFrame(text: string, masked: boolean): Buffer {
  const payload = Buffer.from(text);
  if (!masked) return Buffer.concat([Buffer.from([0x81, payload.length]), payload]);
  const mask = Buffer.from([0x11, 0x22, 0x33, 0x44]);
  return Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]))]);
}

function unmask(frame: Buffer): string | null {
  if (frame.length < 6 || !(frame[1] & 0x80)) return null;
  const len = frame[1] & 0x7f;
  const mask = frame.subarray(2, 6);
  return Buffer.from(frame.subarray(6, 6 + len).map((b, i) => b ^ mask[i % 4])).toString();
}

export interface EdgeOrigins {
  downUrl: string;
  hangUrl: string;
  resetUrl: string;
  wsUrl: string;
  upgrades: { url: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

const listen = (server: net.Server) => new Promise<number>((r) => server.listen(0, "127.0.0.1", () => r((server.address() as AddressInfo).port)));

export async function startEdgeOrigins(): Promise<EdgeOrigins> {
  const probe = net.createServer();
  const downPort = await listen(probe);
  await new Promise((r) => probe.close(r));

  const held = new Set<net.Socket>();
  const hang = net.createServer((s) => {
    held.add(s);
    s.on("close", () => held.delete(s));
    s.on("error", () => undefined);
  });
  const hangPort = await listen(hang);

  const reset = http.createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("partial");
    setTimeout(() => req.socket.destroy(), 100);
  });
  const resetPort = await listen(reset);

  const upgrades: EdgeOrigins["upgrades"] = [];
  const ws = http.createServer((_req, res) => res.end("no upgrade"));
  ws.on("upgrade", (req, socket) => {
    upgrades.push({ url: req.url ?? "", headers: req.headers });
    // An upgraded socket is no longer the server's (closeAllConnections skips it): closed here, and when the gateway ends it.
    held.add(socket as net.Socket);
    socket.on("close", () => held.delete(socket as net.Socket));
    socket.on("end", () => socket.end());
    const accept = createHash("sha1").update(`${req.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    socket.on("data", (d: Buffer) => {
      const text = unmask(d);
      if (text !== null) socket.write(wsFrame(`echo: ${text}`, false));
    });
    socket.on("error", () => undefined);
  });
  const wsPort = await listen(ws);

  const close = (s: net.Server) => new Promise<void>((r) => s.close(() => r()));
  return {
    downUrl: `http://127.0.0.1:${downPort}`,
    hangUrl: `http://127.0.0.1:${hangPort}`,
    resetUrl: `http://127.0.0.1:${resetPort}`,
    wsUrl: `http://127.0.0.1:${wsPort}`,
    upgrades,
    async close() {
      for (const s of held) s.destroy();
      reset.closeAllConnections();
      ws.closeAllConnections();
      await Promise.all([close(hang), close(reset), close(ws)]);
    },
  };
}
