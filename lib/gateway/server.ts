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
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { Pool, type Dispatcher } from "undici";
import { recordAccess, flushAccessLog, type AccessLogEntry } from "../domain/access-log";
import { watchConfig } from "../domain/config-events";
import { appForPath, ContextCache, GATEWAY_CIPHERS, loadHostConfig, type HostConfigSource, type ServerIdentity } from "./context";
import { checkCertificate, evaluate, peerInfo, reasonOf } from "./decide";
import { clientResponseHeaderList, originHeaders } from "./headers";
import { loadSigner, type Signer } from "./jwt";
import { FORBIDDEN, sendError } from "./responses";

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

interface Upstream {
  /** keep-alive connections to the origin (scheme://host:port), shared by the applications using it */
  pool: Pool;
  /** the origin URL's path prefix, without its trailing slash */
  base: string;
}

/**
 * One proxied request: undici's response callbacks write straight into the client's ServerResponse (raw headers
 * filtered into a flat list, body chunks with backpressure), and an origin failure becomes the 502 page.
 */
class ProxyHandler implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly setCookie: string | null,
    private readonly hostname: string,
  ) {}

  /** The client went away before the response was complete: stop the origin request. */
  readonly clientClosed = (): void => {
    if (this.done || this.res.writableFinished) return;
    this.done = true;
    this.abortUpstream?.();
  };

  private readonly drained = (): void => this.resumeUpstream?.();

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.res.destroyed) abort();
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational responses are not relayed (the client's 100-continue was answered by this server).
    if (statusCode < 200) return true;
    this.resumeUpstream = resume;
    const out = clientResponseHeaderList(raw);
    if (this.setCookie) out.push("set-cookie", this.setCookie);
    this.res.writeHead(statusCode, statusText || undefined, out);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once("drain", this.drained);
    return false;
  }

  onComplete(): void {
    this.done = true;
    this.res.end();
  }

  onError(e: Error): void {
    if (this.done) return;
    this.done = true;
    const res = this.res;
    if (!res.headersSent && !res.destroyed) sendError(this.req, res, 502, { title: "Bad gateway", message: `The origin could not be reached (${e.message}).`, hostname: this.hostname });
    else res.destroy();
  }
}

/** The TLS listener and the per-request path; no database access (a worker process runs it as it is). */
export async function createListener(opts: ListenerOptions): Promise<Gateway> {
  const cache = new ContextCache(opts.identity, opts.source);
  const { signer, sink } = opts;
  const jwks = JSON.stringify(signer.jwks);
  const jwksHeaders = { "content-type": "application/json", "cache-control": "public, max-age=300", "content-length": Buffer.byteLength(jwks) };
  const jwts = new Map<string, CachedJwt>();
  // One undici pool per origin (scheme://host:port), kept across reloads; per origin URL (one per compiled
  // application, rebuilt on reload) the pool and path prefix, computed once.
  const pools = new Map<string, Pool>();
  const upstreams = new WeakMap<URL, Upstream>();
  let listenPort = 0;

  const reload = () => {
    cache.clear();
    jwts.clear();
  };

  function upstreamOf(origin: URL): Upstream {
    let u = upstreams.get(origin);
    if (!u) {
      const key = origin.origin;
      let pool = pools.get(key);
      if (!pool) {
        // No header/body timeouts (as the http.Agent it replaces): long polls and slow downloads are the origin's business.
        pool = new Pool(key, { connections: 256, headersTimeout: 0, bodyTimeout: 0 });
        pools.set(key, pool);
      }
      u = { pool, base: origin.pathname.replace(/\/$/, "") };
      upstreams.set(origin, u);
    }
    return u;
  }

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
    proxy(req, res, upstreamOf(compiled.origin), originHeaders(req.headers, {
      leaf: cert.context.valid ? peer.chain[0] : null,
      chain: cert.issuers,
      forwarding: ctx.forwarding,
      firstRequest: peer.requests === 1,
      jwt,
      clientIp: ip,
      host: req.headers.host ?? hostname,
    }), setCookie, hostname);
  }

  function proxy(req: IncomingMessage, res: ServerResponse, u: Upstream, headers: http.OutgoingHttpHeaders, setCookie: string | null, hostname: string) {
    // undici refuses Expect (this server already answered the client's 100-continue).
    if (headers.expect !== undefined) delete headers.expect;
    const handler = new ProxyHandler(req, res, setCookie, hostname);
    res.once("close", handler.clientClosed);
    // A request without a body (no Content-Length, no Transfer-Encoding: GET, HEAD…) sends none.
    const h = req.headers;
    const body = h["content-length"] === undefined && h["transfer-encoding"] === undefined ? null : req;
    u.pool.dispatch({ method: req.method ?? "GET", path: u.base ? `${u.base}${req.url || "/"}` : req.url || "/", headers: headers as Record<string, string | string[]>, body }, handler);
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
      await Promise.all([...pools.values()].map((p) => p.destroy()));
    },
  };
}
