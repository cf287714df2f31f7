/**
 * The Access JWT and CF_Authorization cookie of an allowed request without a sign-in session (./server): the
 * validated certificate's identity, or the service token's when one authenticated, signed once per key and reused
 * until half its lifetime has passed (./jwt `JwtCache`).
 */
import type { IncomingMessage } from "node:http";
import type { Decided } from "./connection";
import { cookieValue, SESSION_COOKIE } from "./identity";
import { JwtCache, type Signer } from "./jwt";

export interface IssuedToken {
  jwt: string;
  /** when the cached token is renewed (ms) */
  renewAt: number;
  /** the Set-Cookie header for the client's response, or null */
  setCookie: string | null;
}

export interface TokenRequest {
  /** the decision (an allowed one, with its application) */
  d: Decided["d"];
  hostname: string;
  /** the service token that authenticated, or null */
  serviceToken: { clientId: string } | null;
  /** whether the request carried service-token credentials (strict: then no cookie) */
  presented: boolean;
  /** the connection's request count, this one included */
  requests: number;
  now: number;
}

export class AccessTokens {
  private readonly jwts: JwtCache;
  /** Per decision without a service token, its cache key (the issuer names the hostname). */
  private readonly keys = new WeakMap<Decided["d"], { hostname: string; key: string }>();

  constructor(
    signer: Signer,
    private readonly issuerFor: (hostname: string) => string,
  ) {
    this.jwts = new JwtCache(signer);
  }

  clear(): void {
    this.jwts.clear();
  }

  /** The token and cookie for `req`: without a promise when the token is cached (the hot path), else once signed. */
  issue(req: IncomingMessage, o: TokenRequest): IssuedToken | Promise<IssuedToken> {
    const { d, hostname, serviceToken } = o;
    const compiled = d.application!;
    const app = compiled.app;
    const policy = d.policy;
    const identity = d.identity;
    // A service token is the identity when one authenticated: common_name = its Client ID and an empty sub, as
    // Cloudflare's service-token JWTs; otherwise the validated certificate's.
    const sub = serviceToken ? "" : identity ? identity.sub : "";
    const commonName = serviceToken ? serviceToken.clientId : identity ? (identity.commonName ?? "") : undefined;
    const ttl = compiled.sessionSeconds;
    // Without a service token the key follows from the decision and the hostname: built once per decision object
    // (the same string each time, whose hash the cache's Map keeps), not once per request.
    let key: string;
    const known = serviceToken ? undefined : this.keys.get(d);
    if (known?.hostname === hostname) key = known.key;
    else {
      key = `${app.id}|${sub}|${commonName ?? ""}|${policy?.id}|${this.issuerFor(hostname)}`;
      if (!serviceToken) this.keys.set(d, { hostname, key });
    }
    const cached = this.jwts.get(key, o.now);
    if (cached) return withCookie(req, o, cached.token, cached.renewAt, ttl);
    const claims = { aud: app.aud, iss: this.issuerFor(hostname), sub, ...(commonName !== undefined ? { common_name: commonName } : {}), policy_id: policy?.id };
    return this.jwts.sign(key, claims, ttl).then((signed) => withCookie(req, o, signed.token, signed.renewAt, ttl));
  }
}

/**
 * Strict service-token authentication: no CF_Authorization cookie; the client keeps sending its headers. Nor when the
 * client sent this token already, nor after a connection's first request to a client that sends no CF_Authorization
 * at all (it keeps no cookies: one per connection, not one with every response). A client holding another token
 * (renewed, another application's) is given this one. Both engines: nginx's decision cache keys on the first-request
 * flag and the Cookie header.
 */
function withCookie(req: IncomingMessage, o: TokenRequest, jwt: string, renewAt: number, ttl: number): IssuedToken {
  const sent = req.headers.cookie === undefined ? null : cookieValue(req, SESSION_COOKIE);
  const setCookie = o.presented || sent === jwt || (sent === null && o.requests > 1) ? null : `${SESSION_COOKIE}=${jwt}; Path=/; Max-Age=${Math.floor(ttl)}; Secure; HttpOnly; SameSite=Lax`;
  return { jwt, renewAt, setCookie };
}
