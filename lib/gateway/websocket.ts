/**
 * WebSocket (HTTP/1.1 Upgrade) through the gateway. The upgrade request goes through the same request path as any
 * other (server.ts, with a ServerResponse written onto the raw socket), so a refused one gets the same 401 / 403 /
 * sign-in answer and its connection closes, and it is logged like any request. An allowed one gets its own
 * connection to the origin with the origin headers (JWT, certificate headers); after the origin's 101 the bytes flow
 * both ways untouched until either side closes. An origin that declines the upgrade has its answer relayed.
 */
import http, { type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { clientResponseHeaders } from "./headers";
import { sendError } from "./responses";

const upgrading = new WeakSet<IncomingMessage>();

/** The request arrived as an Upgrade (the response is written onto its raw socket). */
export const isUpgrade = (req: IncomingMessage): boolean => upgrading.has(req);

/**
 * Serve Upgrade requests through `onRequest`, the listener of ordinary requests. Returns what closes the upgraded
 * connections: the server no longer tracks them, so `closeAllConnections` does not.
 */
export function acceptUpgrades(server: http.Server | https.Server, onRequest: (req: IncomingMessage, res: ServerResponse) => void): () => void {
  const open = new Set<Duplex>();
  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    upgrading.add(req);
    open.add(socket);
    socket.once("close", () => open.delete(socket));
    // Bytes the client sent after the request head belong to the origin once the upgrade is done.
    if (head.length) socket.unshift(head);
    socket.on("error", () => socket.destroy());
    const res = new http.ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket as Socket);
    // A refusal (or the origin's non-101 answer) ends the connection once written.
    res.on("finish", () => socket.end());
    onRequest(req, res);
  });
  return () => {
    for (const s of open) s.destroy();
  };
}

/** Open the upgrade at the origin (`url`: the origin URL with the normalised target) and join the two connections. */
export function proxyUpgrade(req: IncomingMessage, res: ServerResponse, url: URL, headers: OutgoingHttpHeaders, hostname: string, timeoutMs: number): void {
  const client = res.socket;
  if (!client) return;
  let timedOut = false;
  const out = (url.protocol === "https:" ? https : http).request(url, {
    method: req.method,
    // originHeaders dropped the hop-by-hop headers; the upgrade needs its two back.
    headers: { ...headers, connection: "Upgrade", upgrade: String(req.headers.upgrade ?? "websocket") },
    agent: false,
    timeout: timeoutMs,
  });
  out.on("timeout", () => {
    timedOut = true;
    out.destroy();
  });
  out.on("upgrade", (answer: IncomingMessage, upstream: Socket, upstreamHead: Buffer) => {
    upstream.setTimeout(0);
    res.detachSocket(client);
    const lines = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage ?? ""}`];
    for (let i = 0; i + 1 < answer.rawHeaders.length; i += 2) lines.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
    client.write(`${lines.join("\r\n")}\r\n\r\n`);
    if (upstreamHead.length) client.write(upstreamHead);
    const end = () => {
      upstream.destroy();
      client.destroy();
    };
    upstream.on("error", end).on("close", end);
    client.on("close", end);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  out.on("response", (answer) => {
    res.writeHead(answer.statusCode ?? 502, clientResponseHeaders(answer.headers));
    answer.pipe(res);
  });
  out.on("error", (e) => {
    if (res.headersSent || client.destroyed) client.destroy();
    else if (timedOut) sendError(req, res, 504, { title: "Gateway timeout", message: `The origin did not answer within ${timeoutMs / 1000} seconds.`, hostname });
    else sendError(req, res, 502, { title: "Bad gateway", message: `The origin could not be reached (${e.message}).`, hostname });
  });
  client.once("close", () => out.destroy());
  out.end();
}
