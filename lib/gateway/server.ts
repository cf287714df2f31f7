/**
 * The enforcement gateway: an HTTPS listener that asks for client certificates (per-hostname CAs via SNI),
 * decides every request with lib/pki + lib/policy, answers 403 when no policy allows, and otherwise proxies to
 * the application's origin with a signed Access JWT (CF_Authorization cookie, Cf-Access-Jwt-Assertion header).
 * Configuration changes (notifications, or the 500 ms fingerprint poll) drop the compiled contexts at once.
 *
 * `createGateway({ workers: 1 })` (the default) serves in this process. With `workers > 1` this process (the one
 * that owns the database) starts that many worker processes sharing the port (lib/gateway/cluster.ts): they get
 * the per-hostname configuration and the signing key over IPC and send access-log rows back in batches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { recordAccess, flushAccessLog, type AccessLogEntry } from "../domain/access-log";
import { watchConfig } from "../domain/config-events";
import { appForPath, ContextCache, GATEWAY_CIPHERS, loadHostConfig, type HostConfigSource, type ServerIdentity } from "./context";
import { checkCertificate, evaluate, peerInfo, reasonOf } from "./decide";
import { originHeaders } from "./headers";
import { loadSigner, type Signer } from "./jwt";
import { FORBIDDEN, sendError } from "./responses";
import { Upstreams } from "./upstream";

export const JWKS_PATH = "/cdn-cgi/access/certs";
export const COOKIE_NAME = "CF_Authorization";

export interface GatewayOptions {
  port: number;
  host?: string;
  identity: ServerIdentity;
  /** JWT issuer; default https://<request host>[:port] */
  issuer?: string;
  /** Processes serving the port: 1 (default) = this process; more = worker processes (see lib/gateway/cluster.ts). */
  workers?: number;
}

export interface Gateway {
  port: number;
  /** Drop all compiled hostname contexts (the config watcher calls this). */
  reload(): void;
  close(): Promise<void>;
}

const unmap = (ip: string) => (ip.startsWith("::ffff:") && ip.includes(".") ? ip.slice(7) : ip);

function hostOf(req: IncomingMessage, socket: TLSSocket): string {
  const h = String(req.headers.host ?? "").trim().toLowerCase();
  const name = h.startsWith("[") ? h.slice(0, h.indexOf("]") + 1) : h.replace(/:\d+$/, "");
  return (name || (typeof socket.servername === "string" ? socket.servername : "") || "").replace(/\.$/, "");
}

function cookieValue(req: IncomingMessage, name: string): string | null {
  for (const part of String(req.headers.cookie ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

interface CachedJwt {
  token: string;
  renewAt: number;
}

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  if (workers > 1) return (await import("./cluster")).startGatewayCluster(opts, workers);
  const listener = await createListener({ ...opts, signer: await loadSigner(), source: loadHostConfig, sink: recordAccess });
  const unwatch = await watchConfig(listener.reload);
  return {
    port: listener.port,
    reload: listener.reload,
    async close() {
      await unwatch();
      await listener.close();
      await flushAccessLog();
    },
  };
}

export interface ListenerOptions extends GatewayOptions {
  signer: Signer;
  /** where per-hostname configuration comes from: the database, or the primary process over IPC */
  source: HostConfigSource;
  /** where access-log rows go: recordAccess, or a batch sent to the primary process */
  sink: (entry: AccessLogEntry) => void;
}

/** The TLS listener and the per-request path; no database access (a worker process runs it as it is). */
export async function createListener(opts: ListenerOptions): Promise<Gateway> {
  const cache = new ContextCache(opts.identity, opts.source);
  const { signer, sink } = opts;
  const jwks = JSON.stringify(signer.jwks);
  const jwksHeaders = { "content-type": "application/json", "cache-control": "public, max-age=300", "content-length": Buffer.byteLength(jwks) };
  const jwts = new Map<string, CachedJwt>();
  const upstreams = new Upstreams();
  let listenPort = 0;

  const reload = () => {
    cache.clear();
    jwts.clear();
  };

  /** The cached token (no await on the hot path), or a promise of a freshly signed one. */
  function tokenFor(key: string, claims: () => Parameters<Signer["sign"]>[0], ttl: number, now: number): string | Promise<string> {
    const hit = jwts.get(key);
    if (hit && hit.renewAt > now) return hit.token;
    return signer.sign(claims(), ttl).then((token) => {
      jwts.set(key, { token, renewAt: Date.now() + (ttl * 1000) / 2 });
      if (jwts.size > 10_000) jwts.delete(jwts.keys().next().value as string);
      return token;
    });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    const peer = peerInfo(socket);
    peer.requests++;
    const hostname = hostOf(req, socket);
    const path = req.url || "/";
    if (path.startsWith(JWKS_PATH) && (path.length === JWKS_PATH.length || path[JWKS_PATH.length] === "?")) {
      res.writeHead(200, jwksHeaders);
      res.end(jwks);
      return;
    }
    const ip = unmap(socket.remoteAddress ?? "");
    const ctx = cache.peek(hostname) ?? (await cache.get(hostname));
    const compiled = appForPath(ctx, path);
    const at = new Date();
    const cert = await checkCertificate(ctx, peer.chain, at);
    const clientCn = cert.context.commonName ?? null;
    if (!compiled) {
      sink({
        at, hostname, applicationId: null, applicationName: null, clientCn, serialNumber: cert.serial, decision: "deny",
        policyId: null, policyName: null, reason: "No application protects this hostname and path", ip: ip || null,
      });
      sendError(req, res, 404, { title: "Not found", message: "No application is configured for this address.", hostname });
      return;
    }
    const decision = evaluate(ctx, compiled, cert, ip, path);
    const reason = reasonOf(decision, cert);
    const app = compiled.app;
    const policy = decision.policy;
    sink({
      at, hostname, applicationId: app.id, applicationName: app.name, clientCn, serialNumber: cert.serial, decision: decision.decision,
      policyId: policy?.id ?? null, policyName: policy?.name ?? null, reason, ip: ip || null,
    });
    if (decision.decision !== "allow") {
      sendError(req, res, 403, { ...FORBIDDEN, reason, hostname });
      return;
    }
    if (!compiled.origin) {
      sendError(req, res, 502, { title: "No origin", message: `The application "${app.name}" has no origin URL configured.`, hostname });
      return;
    }
    const issuer = opts.issuer ?? (listenPort === 443 ? `https://${hostname}` : `https://${hostname}:${listenPort}`);
    const sub = cert.sha256 ? cert.sha256.replace(/:/g, "").toLowerCase() : "";
    const ttl = compiled.sessionSeconds;
    let jwt = tokenFor(`${app.id}|${sub}|${policy?.id}|${issuer}`, () => ({ aud: app.aud, iss: issuer, sub, common_name: clientCn ?? "", policy_id: policy?.id }), ttl, at.getTime());
    if (typeof jwt !== "string") jwt = await jwt;
    const setCookie = req.headers.cookie !== undefined && cookieValue(req, COOKIE_NAME) === jwt ? null : `${COOKIE_NAME}=${jwt}; Path=/; Max-Age=${Math.floor(ttl)}; Secure; HttpOnly; SameSite=Lax`;
    upstreams.proxy(req, res, compiled.origin, originHeaders(req.headers, {
      leaf: cert.context.valid ? peer.chain[0] : null,
      chain: cert.issuers,
      forwarding: ctx.forwarding,
      firstRequest: peer.requests === 1,
      jwt,
      clientIp: ip,
      host: req.headers.host ?? hostname,
    }), setCookie, hostname);
  }

  const server = https.createServer(
    {
      cert: opts.identity.cert,
      key: opts.identity.key,
      ciphers: GATEWAY_CIPHERS,
      minVersion: "TLSv1.2",
      requestCert: true,
      rejectUnauthorized: false,
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
    (req, res) => {
      handle(req, res).catch((e) => {
        console.error("[gateway] request failed:", (e as Error).message);
        if (!res.headersSent) sendError(req, res, 503, { title: "Unavailable", message: "The gateway could not decide this request; try again.", hostname: hostOf(req, req.socket as TLSSocket) });
        else res.destroy();
      });
    },
  );
  server.on("tlsClientError", () => undefined);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => {
      server.off("error", reject);
      resolve();
    });
  });
  listenPort = (server.address() as AddressInfo).port;

  return {
    port: listenPort,
    reload,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await upstreams.close();
    },
  };
}
