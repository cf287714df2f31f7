/**
 * The enforcement gateway: an HTTPS listener that asks for client certificates (per-hostname CAs via SNI),
 * decides every request with lib/access (421 when the Host's trust store is not the TLS server name's, 404 without an
 * application for the path, 401 for service-token credentials that do not authenticate (./service-token-auth), a
 * sign-in (302 to /cdn-cgi/access/login for browsers, 401 JSON otherwise; ./identity) when the application's
 * policies need an email and the request has no valid session, 403 when no policy allows), and otherwise proxies to
 * the application's origin with a signed Access JWT (CF_Authorization cookie, Cf-Access-Jwt-Assertion header; for a
 * signed-in person the session's own JWT).
 * Configuration changes (notifications, or the 500 ms fingerprint poll) drop the compiled contexts at once.
 *
 * `createGateway({ workers: 1 })` (the default) serves in this process. With `workers > 1` this process (the one
 * that owns the database) starts that many worker processes sharing the port (lib/gateway/cluster.ts): they get
 * the per-hostname configuration and the signing key over IPC and send access-log rows back in batches.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { misdirected } from "../access";
import { normalizeTarget } from "../access/path";
import { recordAccess, flushAccessLog, recordUnknownHost, type AccessLogEntry } from "../domain/access-log";
import { watchConfig } from "../domain/core/config-events";
import { appForPath, ContextCache, loadHostConfig, loadHostIndex, type HostContext } from "./context";
import { checkCertificate, decideRequest } from "./decide";
import { connectionHost, tlsConnection, type ClientConnection, type Decided } from "./connection";
import { originHeaders } from "./headers";
import { NOTHING_FORWARDED } from "./forwarding/headers";
import { forwardedForRequest, forwardingNote, serverUri } from "./forwarding/request";
import { loadSigner } from "./jwt";
import { AccessTokens } from "./access-token";
import { limitsFromEnv, resolveLimits } from "./limits";
import { ACCESS_PREFIX, GatewayIdentity, hostNeedsIdentity, originOf, SESSION_COOKIE, type Session } from "./identity";
import { databaseIdentitySource } from "./identity/source";
import { FORBIDDEN, UNAUTHORIZED, failed, refuseMisdirected, sendError } from "./responses";
import { recordServiceTokenSeen } from "../domain/service-tokens/seen";
import { ServiceTokenAuth, presentedToken } from "./service-token-auth";
import { Upstreams } from "./upstream";
import { nginxSideServer, tlsServer } from "./listeners";
import type { Gateway, GatewayOptions, ListenerOptions } from "./options";
import { databaseCrlSource, serveCrl } from "./crl";
import { env } from "../env.mjs";
import { nginxConnection } from "./nginx-engine/peer";
import { fastAnswer, fastPath, refuseUnlessFast } from "./nginx-engine/fast-path";

export type { Gateway, GatewayOptions, ListenerOptions } from "./options";

export const JWKS_PATH = "/cdn-cgi/access/certs";
const CRL_PREFIX = "/cdn-cgi/pki/crl/";
/** The Access cookie: the gateway's JWT for certificate and service-token identities, a session for sign-ins. */
export const COOKIE_NAME = SESSION_COOKIE;

export async function createGateway(opts: GatewayOptions): Promise<Gateway> {
  const workers = Math.max(1, Math.floor(opts.workers ?? 1));
  // Validated here, before anything starts, so a bad GATEWAY_* value is a clear start-up error.
  const limits = resolveLimits(opts.limits, limitsFromEnv());
  // GATEWAY_ENGINE picks the engine when the caller does not (the integration tests run against either that way).
  if ((opts.engine ?? env().GATEWAY_ENGINE) === "nginx" && !opts.socket) return (await import("./nginx-engine")).startNginxEngine({ ...opts, limits }, workers);
  if (workers > 1) return (await import("./cluster")).startGatewayCluster({ ...opts, limits }, workers);
  const listener = await createListener({ ...opts, limits, signer: await loadSigner(), source: loadHostConfig, index: loadHostIndex, sink: recordAccess, unknownSink: recordUnknownHost });
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

/** The TLS listener and the per-request path; no database access (a worker process runs it as it is). */
export async function createListener(opts: ListenerOptions): Promise<Gateway> {
  const cache = new ContextCache(opts.identity, opts.source, opts.index);
  const { signer } = opts;
  const limits = resolveLimits(opts.limits);
  const jwks = JSON.stringify(signer.jwks);
  const jwksHeaders = { "content-type": "application/json", "cache-control": "public, max-age=300", "content-length": Buffer.byteLength(jwks) };
  const upstreams = new Upstreams({ originTimeoutMs: limits.originTimeoutMs });
  const serviceTokens = new ServiceTokenAuth(opts.tokens, opts.tokenSeen ?? recordServiceTokenSeen);
  const crlSource = opts.crls ?? databaseCrlSource;
  const signIn = new GatewayIdentity({ signer, source: opts.identitySource ?? databaseIdentitySource });
  const by = serverUri(opts.identity.cert);
  let listenPort = 0;
  const issuerFor = (hostname: string) => opts.issuer ?? (listenPort === 443 ? `https://${hostname}` : `https://${hostname}:${listenPort}`);
  const tokens = new AccessTokens(signer, issuerFor);

  const reload = () => {
    cache.clear();
    tokens.clear();
    serviceTokens.clear();
    signIn.reload();
  };

  /** Per certificate verdict, the last decision made without credentials or a session (see `Decided`). */
  const lastDecided = new WeakMap<Decided["verdict"], Decided>();
  const connectionOf: (req: IncomingMessage) => ClientConnection = opts.connection ?? (opts.socket ? nginxConnection : tlsConnection);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const conn = connectionOf(req);
    const { peer, ip, auth, misdirected: nginxMisdirected } = conn;
    // nginx's auth_request (decide only): anything but the fast path's 200 is answered 403 and nginx hands the whole
    // request to this path again, which logs and answers it. So nothing is logged or counted here unless it is fast.
    let pending: AccessLogEntry | null = null;
    const sink = auth ? (e: AccessLogEntry) => void (pending = e) : opts.sink;
    const unknownSink = auth ? () => undefined : opts.unknownSink;
    if (auth) res = refuseUnlessFast(res);
    const hostname = connectionHost(conn, req);
    const url = req.url || "/";
    if (url.startsWith(JWKS_PATH) && (url.length === JWKS_PATH.length || url[JWKS_PATH.length] === "?")) {
      res.writeHead(200, jwksHeaders);
      res.end(jwks);
      return;
    }
    // The managed CA's CRL, for any hostname and without a client certificate (lib/gateway/crl).
    if (url.startsWith(CRL_PREFIX) && (await serveCrl(req, res, url, crlSource))) return;
    const ctx = cache.peek(hostname) ?? (await cache.get(hostname));
    if (!ctx.known) {
      // No certificate and no application knows this name: counted per hour, not one access-log row each.
      unknownSink(hostname);
      sendError(req, res, 404, { title: "Not found", message: "No application is configured for this address.", hostname });
      return;
    }
    if (nginxMisdirected) {
      // Only the 421 page: nginx stopped reading the request at its Host header, so nothing else may act on it.
      const tls = peer.sni ? (cache.peek(peer.sni) ?? (await cache.get(peer.sni))) : cache.unknown;
      return refuseMisdirected(req, res, sink, hostname, ip, peer, misdirected(tls.known ? tls : null, ctx) ?? `The connection was made for ${peer.sni || "no TLS server name"}; reconnect for ${hostname}.`, new Date());
    }
    if (url.startsWith(ACCESS_PREFIX)) {
      if (auth) return fastAnswer(res, null);
      // The sign-in flow's pages (login, callback, get-identity, logout): lib/gateway/identity.
      await signIn.route(req, res, { ctx, hostname, origin: originOf(req, hostname), issuer: issuerFor(hostname) });
      return;
    }
    const at = new Date();
    // The client certificate was requested and is validated for the TLS server name; a Host with another trust
    // store is refused before any certificate rule runs (lib/access `misdirected`).
    let tlsCtx: HostContext = ctx;
    if (peer.sni !== hostname) {
      tlsCtx = peer.sni ? (cache.peek(peer.sni) ?? (await cache.get(peer.sni))) : cache.unknown;
      const why = misdirected(tlsCtx.known ? tlsCtx : null, ctx);
      if (why !== null) return refuseMisdirected(req, res, sink, hostname, ip, peer, why, at);
    }
    // Without a promise on a keep-alive connection (the chain's validation is memoised).
    const checked = checkCertificate(tlsCtx, peer.chain, at);
    const cert = "then" in checked ? await checked : checked;
    const clientCn = cert.context.commonName ?? null;
    const target = normalizeTarget(url, String(req.headers.host ?? ""));
    if (!target.ok) {
      sink({
        at, hostname, applicationId: null, applicationName: null, clientCn, serialNumber: cert.serial, decision: "deny",
        policyId: null, policyName: null, reason: `Request target refused: ${target.error}`, ip: ip || null, chain: peer.chain,
      });
      sendError(req, res, 400, { title: "Bad request", message: `The request target was refused: ${target.error}.`, hostname });
      return;
    }
    // CF-Access-Client-Id / -Secret (lib/gateway/service-token-auth): a valid token's id, or why they were refused.
    const presented = presentedToken(req);
    const tokenVerdict = presented ? serviceTokens.verify(presented, at.getTime()) : null;
    const token = tokenVerdict === null || !("then" in tokenVerdict) ? tokenVerdict : await tokenVerdict;
    // A signed-in person's session (lib/gateway/identity), read only for applications whose policies use an email and
    // only without service-token credentials (strict service-token authentication never falls back to a session).
    const identityApp = presented || !hostNeedsIdentity(ctx) ? null : appForPath(ctx, target.key);
    let session: Session | null = null;
    if (identityApp?.needsIdentity) {
      const s = signIn.session(req, identityApp, issuerFor(hostname), at.getTime());
      session = s === null || !("then" in s) ? s : await s;
    }
    // Without credentials or a session, the connection's previous decision when it was made from the same inputs.
    const plain = !presented && session === null;
    let last = plain ? conn.decided : undefined;
    // A new connection of the same client (the verdict is one object per chain and standing): its last decision.
    if (plain && last?.verdict !== cert.verdict) last = lastDecided.get(cert.verdict);
    let d: Decided["d"];
    if (last !== undefined && last.ctx === ctx && last.verdict === cert.verdict && last.key === target.key && last.path === target.path && last.ip === ip) d = last.d;
    else {
      d = decideRequest(ctx, cert, {
        key: target.key,
        path: target.path,
        ip,
        ...(session ? { email: session.email } : {}),
        ...(token ? (token.ok ? { serviceTokenId: token.token.id } : { credentialError: token.reason }) : {}),
      });
      if (plain) lastDecided.set(cert.verdict, (conn.decided = { ctx, verdict: cert.verdict, key: target.key, path: target.path, ip, d }));
    }
    const compiled = d.application;
    if (!compiled) {
      sink({
        at, hostname, applicationId: null, applicationName: null, clientCn, serialNumber: cert.serial, decision: "deny",
        policyId: null, policyName: null, reason: "No application protects this hostname and path", ip: ip || null, path: target.path, chain: peer.chain,
      });
      sendError(req, res, 404, { title: "Not found", message: "No application is configured for this address.", hostname });
      return;
    }
    const app = compiled.app;
    const policy = d.policy;
    // No session where the policies need an email (lib/access `sign_in`; never for Bypass, Service Auth or a request
    // that presented service-token credentials): sign in first.
    if (d.outcome === "sign_in") {
      if (auth) return fastAnswer(res, null);
      sink({
        at, hostname, applicationId: app.id, applicationName: app.name, clientCn, serialNumber: cert.serial, decision: "deny",
        policyId: null, policyName: null, reason: d.reason, ip: ip || null, path: target.path, chain: peer.chain,
      });
      signIn.challenge(req, res, hostname, compiled);
      return;
    }
    // lib/access: Bypass tells the origin nothing; certificate fields only from a chain that validated.
    const bypass = d.outcome === "bypass";
    const identity = d.identity;
    const forwarded = d.decision === "allow" ? forwardedForRequest(ctx, cert, { leaf: identity ? peer.chain[0] : null, bypass, firstRequest: peer.requests === 1, by }) : null;
    // The log names the service token a request presented (its Client ID is not a secret), or the signed-in email,
    // and a certificate header left out as too large.
    const reason = (token?.token ? `${d.reason} [service token ${JSON.stringify(token.token.name)}, ${token.token.clientId}]` : session ? `${d.reason} [signed in as ${session.email}]` : d.reason) + (forwarded ? forwardingNote(forwarded) : "");
    sink({
      at, hostname, applicationId: app.id, applicationName: app.name, clientCn, serialNumber: cert.serial, decision: d.decision,
      policyId: policy?.id ?? null, policyName: policy?.name ?? null, reason, ip: ip || null, path: target.path, chain: peer.chain,
    });
    if (d.status === 401) {
      // Strict: never a redirect to sign-in. Only a client that proved it holds a secret of the token learns why.
      sendError(req, res, 401, { ...UNAUTHORIZED, ...(token && !token.ok && token.proven ? { reason: token.reason } : {}), hostname });
      return;
    }
    if (d.decision !== "allow") {
      sendError(req, res, 403, { ...FORBIDDEN, reason, hostname });
      return;
    }
    if (!compiled.origin) {
      sendError(req, res, 502, { title: "No origin", message: `The application "${app.name}" has no valid origin URL configured.`, hostname });
      return;
    }
    let jwt: string | null = null;
    let setCookie: string | null = null;
    let jwtRenewAt: number | null = null;
    if (session && !bypass) {
      // A signed-in person: the origin gets the session's own JWT (email, aud, iss, iat, exp); the cookie stays as it is.
      jwt = session.token;
    } else if (!bypass) {
      const issued = tokens.issue(req, { d, hostname, serviceToken: token?.ok ? token.token : null, presented: presented !== null, requests: peer.requests, now: at.getTime() });
      ({ jwt, renewAt: jwtRenewAt, setCookie } = "then" in issued ? await issued : issued);
    }
    const headers = originHeaders(req.headers, {
      certificate: forwarded ?? NOTHING_FORWARDED,
      jwt,
      clientIp: ip,
      host: req.headers.host ?? hostname,
    });
    if (auth) {
      const fast = fastPath(req.headers, req.rawHeaders, headers, compiled.origin, target.target, jwt, setCookie);
      if (fast && pending) opts.sink(pending);
      // nginx may keep a fast answer (./nginx-engine/decision-cache) unless the decision can change on its own.
      const volatile = !!(ctx.revocation?.ocsp || tlsCtx.revocation?.ocsp || cert.verdict.alert) || (jwt !== null && jwtRenewAt === null);
      fastAnswer(res, fast, pending && { entry: pending, now: at.getTime(), renewAt: jwtRenewAt, leaf: peer.chain[0], volatile });
      return;
    }
    upstreams.proxy(req, res, compiled.origin, target.target, headers, setCookie, hostname);
  }

  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res).catch((e: Error) => failed(req, res, e));
  };
  const { server, closeUpgrades } = opts.socket ? { server: nginxSideServer(limits, onRequest), closeUpgrades: () => undefined } : tlsServer(opts.identity, limits, cache, onRequest);

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    const listening = () => {
      server.off("error", reject);
      resolve();
    };
    if (opts.socket) server.listen(opts.socket, listening);
    else server.listen(opts.port, opts.host ?? "0.0.0.0", listening);
  });
  // Behind nginx the public port is nginx's (the JWT issuer names it).
  listenPort = opts.socket ? opts.port : (server.address() as AddressInfo).port;

  return {
    port: listenPort,
    reload,
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
        closeUpgrades();
      });
      await upstreams.close();
    },
  };
}
