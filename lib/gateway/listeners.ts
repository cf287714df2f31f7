/**
 * The two HTTP servers the gateway's request path (./server) runs behind: its own TLS listener (the node engine), or
 * plain HTTP on a unix socket behind nginx (the nginx engine, which holds the client connections).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import { GATEWAY_CIPHERS, type ContextCache, type ServerIdentity } from "./context";
import type { GatewayLimits } from "./limits";
import { acceptUpgrades } from "./websocket";

type OnRequest = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * The TLS listener: asks every client for a certificate from the TLS server name's CAs (`SNICallback` picks the
 * hostname's context) without rejecting the handshake (the request path decides, with a readable answer), applies the
 * handshake, header and request timeouts, accepts Upgrade requests through the same request path, and refuses a
 * connection over the per-address cap before its handshake.
 */
export function tlsServer(identity: ServerIdentity, limits: GatewayLimits, cache: ContextCache, onRequest: OnRequest): { server: https.Server; closeUpgrades: () => void } {
  const server = https.createServer(
    {
      cert: identity.cert,
      key: identity.key,
      ciphers: GATEWAY_CIPHERS,
      minVersion: "TLSv1.2",
      requestCert: true,
      rejectUnauthorized: false,
      handshakeTimeout: limits.handshakeTimeoutMs,
      headersTimeout: limits.headersTimeoutMs,
      // The whole request (headers and body: a trickled body is answered 408); never shorter than the header timeout.
      requestTimeout: Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs),
      // How often Node checks the two timeouts above (default 30 s, far coarser than a 15 s header timeout).
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
      SNICallback: (name, cb) => {
        // The built context answers at once; a hostname not built yet (or being rebuilt) waits for it.
        const hit = cache.peek(name);
        if (hit) return cb(null, hit.secureContext);
        cache.get(name).then(
          (c) => cb(null, c.secureContext),
          () => cb(null, cache.defaultContext),
        );
      },
    },
    onRequest,
  );
  server.on("tlsClientError", () => undefined);
  const closeUpgrades = acceptUpgrades(server, onRequest);

  /** Open connections per client address (TCP, before TLS), for the per-address cap. */
  const perIp = new Map<string, number>();
  // Before the TLS server sees it: a connection over the cap costs no handshake.
  server.prependListener("connection", (socket: Socket) => {
    const addr = socket.remoteAddress ?? "";
    const n = (perIp.get(addr) ?? 0) + 1;
    if (n > limits.maxConnectionsPerIp) {
      socket.destroy();
      return;
    }
    perIp.set(addr, n);
    socket.once("close", () => {
      const left = (perIp.get(addr) ?? 1) - 1;
      if (left > 0) perIp.set(addr, left);
      else perIp.delete(addr);
    });
  });
  return { server, closeUpgrades };
}

/**
 * Behind nginx (which holds the client connections and their timeouts): plain HTTP on a unix socket. nginx keeps idle
 * upstream connections for 4 s, so this side keeps them longer and never closes one nginx is about to reuse.
 */
export function nginxSideServer(limits: GatewayLimits, onRequest: OnRequest): http.Server {
  return http.createServer({ keepAliveTimeout: 10_000, requestTimeout: 0, headersTimeout: Math.max(60_000, limits.headersTimeoutMs) }, onRequest);
}
