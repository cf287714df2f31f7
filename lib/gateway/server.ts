/**
 * The enforcement gateway: an HTTPS listener that asks for client certificates (per-hostname CAs via SNI),
 * decides every request with lib/pki + lib/policy, answers 403 when no policy allows, and otherwise proxies to
 * the application's origin with a signed Access JWT (CF_Authorization cookie, Cf-Access-Jwt-Assertion header).
 * Configuration changes (notifications, or the 500 ms fingerprint poll) drop the compiled contexts at once.
 */
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import type { TLSSocket } from "node:tls";
import { recordAccess, flushAccessLog } from "../domain/access-log";
import { watchConfig } from "../domain/config-events";
import { appForPath, ContextCache, GATEWAY_CIPHERS, type ServerIdentity } from "./context";
import { checkCertificate, evaluate, peerInfo, reasonOf } from "./decide";
import { clientResponseHeaders, originHeaders } from "./headers";
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
  const cache = new ContextCache(opts.identity);
  const signer: Signer = await loadSigner();
  const jwks = JSON.stringify(signer.jwks);
  const jwts = new Map<string, CachedJwt>();
  const agents = { http: new http.Agent({ keepAlive: true, maxSockets: 256 }), https: new https.Agent({ keepAlive: true, maxSockets: 256 }) };

  const reload = () => {
    cache.clear();
    jwts.clear();
  };
  const unwatch = await watchConfig(reload);

  async function tokenFor(key: string, claims: Parameters<Signer["sign"]>[0], ttl: number): Promise<string> {
    const hit = jwts.get(key);
    if (hit && hit.renewAt > Date.now()) return hit.token;
    const token = await signer.sign(claims, ttl);
    jwts.set(key, { token, renewAt: Date.now() + (ttl * 1000) / 2 });
    if (jwts.size > 10_000) jwts.delete(jwts.keys().next().value as string);
    return token;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const socket = req.socket as TLSSocket;
    const peer = peerInfo(socket);
    peer.requests++;
    const hostname = hostOf(req, socket);
    const path = req.url || "/";
    if (path === JWKS_PATH || path.startsWith(`${JWKS_PATH}?`)) {
      res.writeHead(200, { "content-type": "application/json", "cache-control": "public, max-age=300", "content-length": Buffer.byteLength(jwks) });
      res.end(jwks);
      return;
    }
    const ip = unmap(socket.remoteAddress ?? "");
    const ctx = await cache.get(hostname);
    const compiled = appForPath(ctx, path);
    const cert = await checkCertificate(ctx, peer.chain);
    const base = { at: new Date(), hostname, clientCn: cert.context.commonName ?? null, serialNumber: cert.serial, ip: ip || null };
    if (!compiled) {
      recordAccess({ ...base, applicationId: null, applicationName: null, decision: "deny", policyId: null, policyName: null, reason: "No application protects this hostname and path" });
      sendError(req, res, 404, { title: "Not found", message: "No application is configured for this address.", hostname });
      return;
    }
    const decision = evaluate(ctx, compiled, cert, ip, path);
    const reason = reasonOf(decision, cert);
    const app = compiled.app;
    recordAccess({
      ...base,
      applicationId: app.id,
      applicationName: app.name,
      decision: decision.decision,
      policyId: decision.policy?.id ?? null,
      policyName: decision.policy?.name ?? null,
      reason,
    });
    if (decision.decision !== "allow") {
      sendError(req, res, 403, { ...FORBIDDEN, reason, hostname });
      return;
    }
    if (!compiled.origin) {
      sendError(req, res, 502, { title: "No origin", message: `The application "${app.name}" has no origin URL configured.`, hostname });
      return;
    }
    const port = (socket.address() as AddressInfo).port;
    const issuer = opts.issuer ?? `https://${hostname}${port === 443 ? "" : `:${port}`}`;
    const sub = cert.sha256 ? cert.sha256.replace(/:/g, "").toLowerCase() : "";
    const ttl = compiled.sessionSeconds;
    const jwt = await tokenFor(`${app.id}|${sub}|${decision.policy?.id}|${issuer}`, { aud: app.aud, iss: issuer, sub, common_name: cert.context.commonName ?? "", policy_id: decision.policy?.id }, ttl);
    const setCookie = cookieValue(req, COOKIE_NAME) === jwt ? null : `${COOKIE_NAME}=${jwt}; Path=/; Max-Age=${Math.floor(ttl)}; Secure; HttpOnly; SameSite=Lax`;
    proxy(req, res, compiled.origin, {
      headers: originHeaders(req.headers, {
        leaf: cert.context.valid ? peer.chain[0] : null,
        chain: cert.issuers,
        forwarding: ctx.forwarding,
        firstRequest: peer.requests === 1,
        jwt,
        clientIp: ip,
        host: req.headers.host ?? hostname,
      }),
      setCookie,
      hostname,
    });
  }

  function proxy(req: IncomingMessage, res: ServerResponse, origin: URL, o: { headers: http.OutgoingHttpHeaders; setCookie: string | null; hostname: string }) {
    const https_ = origin.protocol === "https:";
    const base = origin.pathname.replace(/\/$/, "");
    const upstream = (https_ ? https : http).request(
      {
        protocol: origin.protocol,
        hostname: origin.hostname.replace(/^\[|\]$/g, ""),
        port: origin.port || (https_ ? 443 : 80),
        method: req.method,
        path: `${base}${req.url || "/"}`,
        headers: o.headers,
        agent: https_ ? agents.https : agents.http,
      },
      (ures) => {
        const headers = clientResponseHeaders(ures.headers);
        if (o.setCookie) {
          const prior = headers["set-cookie"];
          headers["set-cookie"] = [...(Array.isArray(prior) ? prior : prior ? [String(prior)] : []), o.setCookie];
        }
        res.writeHead(ures.statusCode ?? 502, ures.statusMessage, headers);
        ures.pipe(res);
      },
    );
    upstream.on("error", (e) => {
      if (!res.headersSent) sendError(req, res, 502, { title: "Bad gateway", message: `The origin could not be reached (${e.message}).`, hostname: o.hostname });
      else res.destroy();
    });
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
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

  return {
    port: (server.address() as AddressInfo).port,
    reload,
    async close() {
      await unwatch();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agents.http.destroy();
      agents.https.destroy();
      await flushAccessLog();
    },
  };
}
