/**
 * Sign-in at the gateway, in Cloudflare Access's shape. lib/gateway/server.ts calls three things:
 *
 * - `route(...)` for `/cdn-cgi/access/*` on a configured hostname:
 *   - `login?redirect_url=…[&idp=<login method id>]`: the application is the one `redirect_url` (which must be on
 *     the request's own host: no open redirect) leads to; one login method → straight to its provider; several →
 *     the chooser page "Sign in to APPLICATION". The authorization request is the code flow with PKCE (S256),
 *     `state` and `nonce` (openid-client); what the callback must check is stored as a one-use pending sign-in
 *     (lib/domain/login-methods/sign-ins) bound to this browser by the `CF_Access_Sign_In` cookie.
 *   - `callback`: the pending sign-in is taken (so a replayed state finds nothing), the browser binding compared
 *     (a state from another browser is refused), then openid-client exchanges the code and checks the ID token
 *     (issuer, audience, signature, nonce). The email comes from that provider's ID token, or its userinfo; an
 *     `email_verified` of false gives no email and a refusal page. Success sets `CF_Authorization` (HttpOnly,
 *     Secure, SameSite=Lax, no Domain: this host only) to a JWT the gateway signs (./session) and goes back.
 *   - `get-identity`: the session's identity as JSON (401 without one); `logout`: clears the cookie.
 * - `session(...)`: the valid session of a request for an application (cached verification, ./session).
 * - `challenge(...)`: lib/access decided `sign_in` (the application's policies need an email and the request has no
 *   valid session): browsers get 302 to the login URL; other clients 401 JSON (never a redirect).
 *
 * Failures are pages that say what happened (never a 500): a tampered or expired cookie is simply no session.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as client from "openid-client";
import { appFor } from "../../access/match";
import { normalizeTarget } from "../../access/path";
import { describeOidcError } from "../../domain/login-methods/oidc";
import type { CompiledApp, HostContext } from "../context";
import type { Signer } from "../jwt";
import { isBrowser, sendChooser, sendJson, sendMessage } from "./pages";
import { Providers } from "./providers";
import { Sessions, type Session } from "./session";
import type { GatewayLoginMethod, IdentitySource, PendingSignIn } from "./source";

export const ACCESS_PREFIX = "/cdn-cgi/access/";
export const LOGIN_PATH = "/cdn-cgi/access/login";
export const CALLBACK_PATH = "/cdn-cgi/access/callback";
export const IDENTITY_PATH = "/cdn-cgi/access/get-identity";
export const LOGOUT_PATH = "/cdn-cgi/access/logout";
export const SESSION_COOKIE = "CF_Authorization";
/** Binds a pending sign-in to the browser that started it (only its SHA-256 is stored). */
export const BINDING_COOKIE = "CF_Access_Sign_In";
/** How long a browser has to come back from its provider. */
export const SIGN_IN_TTL_MS = 10 * 60_000;

export type { Session };

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export function cookieValue(req: IncomingMessage, name: string): string | null {
  const header = req.headers.cookie;
  if (header === undefined) return null;
  for (const part of String(header).split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return null;
}

const hostNeeds = new WeakMap<HostContext, boolean>();

/** Whether any application of a hostname needs a signed-in person (so requests elsewhere skip the session lookup). */
export function hostNeedsIdentity(ctx: HostContext): boolean {
  let v = hostNeeds.get(ctx);
  if (v === undefined) {
    v = ctx.apps.some((a) => a.needsIdentity === true);
    hostNeeds.set(ctx, v);
  }
  return v;
}

/** `https://host[:port]` as the browser addressed this gateway (the Host header's port; the name already validated). */
export function originOf(req: IncomingMessage, hostname: string): string {
  const m = /:(\d{1,5})$/.exec(String(req.headers.host ?? ""));
  const port = m && m[1] !== "443" ? `:${m[1]}` : "";
  return `https://${hostname.includes(":") ? `[${hostname}]` : hostname}${port}`;
}

const cookie = (name: string, value: string, maxAge: number, path = "/") => `${name}=${value}; Path=${path}; Max-Age=${Math.max(0, Math.floor(maxAge))}; Secure; HttpOnly; SameSite=Lax`;

export interface IdentityOptions {
  signer: Signer;
  source: IdentitySource;
}

interface RouteContext {
  ctx: HostContext;
  hostname: string;
  /** https://host[:port] as the browser sees it */
  origin: string;
  /** the JWT issuer of this host */
  issuer: string;
}

export class GatewayIdentity {
  private sessions: Sessions;
  private providers: Providers;

  constructor(private opts: IdentityOptions) {
    this.sessions = new Sessions(opts.signer);
    this.providers = new Providers(opts.source);
  }

  /** Configuration changed: drop the login methods, provider configurations and verified sessions. */
  reload(): void {
    this.providers.clear();
    this.sessions.clear();
  }

  /** The valid session a request carries for `app` (its AUD), or null; a promise only on a token's first sight. */
  session(req: IncomingMessage, app: CompiledApp, issuer: string, nowMs: number): Session | null | Promise<Session | null> {
    const token = cookieValue(req, SESSION_COOKIE);
    return token ? this.sessions.read(token, issuer, app.app.aud, nowMs) : null;
  }

  /** No session where one is needed: 302 to the login page for browsers, 401 JSON for everything else. */
  challenge(req: IncomingMessage, res: ServerResponse, hostname: string, app: CompiledApp): void {
    const origin = originOf(req, hostname);
    const login = `${origin}${LOGIN_PATH}?redirect_url=${encodeURIComponent(`${origin}${req.url || "/"}`)}`;
    if (isBrowser(req)) {
      res.writeHead(302, { location: login, "cache-control": "no-store", "content-length": 0 });
      res.end();
      return;
    }
    sendJson(req, res, 401, {
      success: false,
      status: 401,
      error: "Unauthorized",
      message: `${app.app.name} requires signing in: open ${login} in a browser (non-browser clients are never redirected).`,
      login_url: login,
      hostname,
    });
  }

  /** `/cdn-cgi/access/*` (except the certificate keys, which server.ts serves itself). */
  async route(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
    const url = new URL(req.url || "/", rc.origin);
    try {
      switch (url.pathname) {
        case LOGIN_PATH:
          return await this.login(req, res, rc, url);
        case CALLBACK_PATH:
          return await this.callback(req, res, rc, url);
        case IDENTITY_PATH:
          return await this.identity(req, res, rc);
        case LOGOUT_PATH:
          return this.logout(req, res, rc);
        default:
          sendMessage(req, res, 404, "Not found", ["No such Access page."], { hostname: rc.hostname });
      }
    } catch (e) {
      console.error(`[gateway] sign-in ${url.pathname} failed:`, (e as Error).message);
      if (!res.headersSent) sendMessage(req, res, 503, "Sign-in unavailable", ["The gateway could not complete this sign-in step; try again in a moment."], { hostname: rc.hostname });
      else res.destroy();
    }
  }

  /** The application a return URL leads to on this host, or why it cannot be used. */
  private returnTarget(rc: RouteContext, raw: string | null): { ok: true; url: string; app: CompiledApp } | { ok: false; status: 400 | 404; why: string } {
    let u: URL;
    try {
      u = new URL(raw ?? "/", rc.origin);
    } catch {
      return { ok: false, status: 400, why: "The sign-in link's redirect_url is not a URL." };
    }
    if (u.origin !== rc.origin) return { ok: false, status: 400, why: `The sign-in link's redirect_url must point to ${rc.origin}, this application's own address.` };
    const target = normalizeTarget(u.pathname + u.search, new URL(rc.origin).host);
    if (!target.ok) return { ok: false, status: 400, why: `The sign-in link's redirect_url was refused: ${target.error}.` };
    const app = appFor(rc.ctx.apps, target.key);
    if (!app) return { ok: false, status: 404, why: `No application protects ${u.host}${u.pathname}.` };
    return { ok: true, url: u.toString(), app };
  }

  private async offered(app: CompiledApp): Promise<GatewayLoginMethod[]> {
    const all = await this.providers.list();
    const allowed = app.app.allowed_idps ?? [];
    return allowed.length ? all.filter((m) => allowed.includes(m.id)) : all;
  }

  private async login(req: IncomingMessage, res: ServerResponse, rc: RouteContext, url: URL): Promise<void> {
    const back = this.returnTarget(rc, url.searchParams.get("redirect_url"));
    if (!back.ok) return sendMessage(req, res, back.status, back.status === 404 ? "Not found" : "Bad sign-in link", [back.why], { hostname: rc.hostname });
    const app = back.app;
    const methods = await this.offered(app);
    if (!methods.length) {
      return sendMessage(req, res, 403, "Sign-in unavailable", [`${app.app.name} offers no login method, so nobody can sign in to it. An administrator can add one under Settings → Login methods.`], { hostname: rc.hostname });
    }
    const wanted = url.searchParams.get("idp");
    const method = wanted ? methods.find((m) => m.id === wanted) : methods.length === 1 ? methods[0] : undefined;
    if (!method) {
      if (wanted) return sendMessage(req, res, 400, "Bad sign-in link", [`That login method is not offered by ${app.app.name}.`], { hostname: rc.hostname, link: { href: `${LOGIN_PATH}?redirect_url=${encodeURIComponent(back.url)}`, text: "Choose a login method" } });
      return sendChooser(req, res, app.app.name, LOGIN_PATH, back.url, methods);
    }
    if (method.clientSecret === null) {
      return sendMessage(req, res, 503, "Sign-in unavailable", [`The login method ${method.name} cannot be used: ${method.secretError ?? "its client secret is not available"}`], { hostname: rc.hostname });
    }
    const provider = await this.providers.config({ ...method, clientSecret: method.clientSecret });
    if (!provider.ok) {
      return sendMessage(req, res, 502, "Identity provider unavailable", [`${method.name} could not be reached: ${provider.failure.message}`], { hostname: rc.hostname });
    }
    const state = client.randomState();
    const nonce = client.randomNonce();
    const codeVerifier = client.randomPKCECodeVerifier();
    const existing = cookieValue(req, BINDING_COOKIE);
    const binding = existing && /^[A-Za-z0-9_-]{43}$/.test(existing) ? existing : randomBytes(32).toString("base64url");
    const redirectUri = `${rc.origin}${CALLBACK_PATH}`;
    const pending: PendingSignIn = {
      id: sha256(state),
      loginMethodId: method.id,
      applicationId: app.app.id,
      browserHash: sha256(binding),
      codeVerifier,
      nonce,
      redirectUri,
      returnTo: back.url,
      expiresAt: Date.now() + SIGN_IN_TTL_MS,
    };
    await this.opts.source.saveSignIn(pending);
    const authorize = client.buildAuthorizationUrl(provider.config, {
      redirect_uri: redirectUri,
      scope: method.scopes,
      state,
      nonce,
      code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: "S256",
    });
    res.writeHead(302, {
      location: authorize.toString(),
      "cache-control": "no-store",
      "content-length": 0,
      "set-cookie": cookie(BINDING_COOKIE, binding, SIGN_IN_TTL_MS / 1000, ACCESS_PREFIX.slice(0, -1)),
    });
    res.end();
  }

  private async callback(req: IncomingMessage, res: ServerResponse, rc: RouteContext, url: URL): Promise<void> {
    const fail = (status: number, title: string, lines: string[], link?: { href: string; text: string }) => sendMessage(req, res, status, title, lines, { hostname: rc.hostname, link });
    const state = url.searchParams.get("state");
    if (!state) return fail(400, "Sign-in failed", ["The identity provider's answer has no state, so it cannot belong to a sign-in started here. Open the application again to sign in."]);
    const binding = cookieValue(req, BINDING_COOKIE) ?? "";
    const taken = await this.opts.source.takeSignIn(sha256(state), sha256(binding));
    if (taken.status === "other_browser") {
      return fail(400, "Sign-in failed", ["This sign-in was started in another browser (or this browser's sign-in cookie is gone), so it is refused here. Sign in again from this browser."]);
    }
    const pending = taken.status === "ok" ? taken.signIn : null;
    if (!pending || pending.expiresAt <= Date.now()) {
      return fail(400, "Sign-in failed", ["This sign-in answer was already used, has expired, or was not started by this gateway. Open the application again to sign in."]);
    }
    const restart = { href: pending.returnTo, text: "Try again" };
    const back = this.returnTarget(rc, pending.returnTo);
    if (!back.ok || back.app.app.id !== pending.applicationId) {
      return fail(400, "Sign-in failed", ["The application this sign-in was for has changed. Open it again to sign in."]);
    }
    const app = back.app;
    const providerError = url.searchParams.get("error");
    if (providerError) {
      const desc = url.searchParams.get("error_description");
      return fail(403, "Sign-in refused", [`The identity provider refused the sign-in: ${providerError}${desc ? ` (${desc})` : ""}.`], restart);
    }
    const method = await this.providers.get(pending.loginMethodId);
    if (!method || method.clientSecret === null) return fail(400, "Sign-in failed", ["The login method of this sign-in is no longer available. Sign in again."], restart);
    const provider = await this.providers.config({ ...method, clientSecret: method.clientSecret });
    if (!provider.ok) return fail(502, "Identity provider unavailable", [`${method.name} could not be reached: ${provider.failure.message}`], restart);

    const current = new URL(pending.redirectUri);
    current.search = url.search;
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(provider.config, current, {
        pkceCodeVerifier: pending.codeVerifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
    } catch (e) {
      const f = describeOidcError(e, method.issuerUrl);
      const status = f.kind === "unreachable" || f.kind === "tls" ? 502 : 403;
      return fail(status, "Sign-in failed", [`${method.name} did not complete the sign-in: ${f.kind === "not_oidc" ? (e as Error).message : f.message}`], restart);
    }
    const claims = tokens.claims();
    if (!claims) return fail(403, "Sign-in failed", [`${method.name} sent no ID token.`], restart);
    let source: Record<string, unknown> = claims;
    if (claims[method.emailClaim] === undefined && tokens.access_token) {
      try {
        source = await client.fetchUserInfo(provider.config, tokens.access_token, claims.sub);
      } catch (e) {
        return fail(502, "Sign-in failed", [`${method.name}'s userinfo endpoint did not answer: ${describeOidcError(e, method.issuerUrl).message}`], restart);
      }
    }
    const verified = source.email_verified;
    const rawEmail = source[method.emailClaim];
    if (verified === false || verified === "false") {
      return fail(403, "Email address not verified", [
        `${method.name} says the email address of this account${typeof rawEmail === "string" ? ` (${rawEmail})` : ""} is not verified, so it cannot be used to sign in to ${app.app.name}. Verify it with ${method.name}, then sign in again.`,
      ], restart);
    }
    const email = typeof rawEmail === "string" ? rawEmail.trim().toLowerCase() : "";
    if (!/^[^\s@]+@[^\s@]+$/.test(email)) {
      return fail(403, "No email address", [`${method.name} did not send an email address in the "${method.emailClaim}" claim, so this sign-in cannot be matched against ${app.app.name}'s policies.`], restart);
    }
    const ttl = app.sessionSeconds;
    const token = await this.opts.signer.sign(
      { aud: app.app.aud, iss: rc.issuer, sub: sha256(`${method.id}\n${claims.sub}`).slice(0, 32), email, idp: { id: method.id, type: "oidc" } },
      ttl,
    );
    res.writeHead(302, {
      location: pending.returnTo,
      "cache-control": "no-store",
      "content-length": 0,
      // The binding cookie stays: other tabs of this browser may have sign-ins under way (it expires on its own).
      "set-cookie": cookie(SESSION_COOKIE, token, ttl),
    });
    res.end();
  }

  private async identity(req: IncomingMessage, res: ServerResponse, rc: RouteContext): Promise<void> {
    const token = cookieValue(req, SESSION_COOKIE);
    const s = token ? await this.sessions.read(token, rc.issuer, null, Date.now()) : null;
    const app = s ? rc.ctx.apps.find((a) => s.aud.includes(a.app.aud)) : undefined;
    if (!s || !app) return sendJson(req, res, 401, { success: false, status: 401, error: "Unauthorized", message: "No valid session on this hostname.", hostname: rc.hostname });
    sendJson(req, res, 200, { email: s.email, user_uuid: s.sub, idp: s.idp, aud: s.aud, iss: s.iss, iat: s.iat, exp: s.exp, application: { id: app.app.id, name: app.app.name } });
  }

  private logout(req: IncomingMessage, res: ServerResponse, rc: RouteContext): void {
    const token = cookieValue(req, SESSION_COOKIE);
    if (token) this.sessions.forget(token);
    sendMessage(req, res, 200, "Signed out", [`You are signed out of ${rc.hostname}.`], { hostname: rc.hostname, headers: { "set-cookie": cookie(SESSION_COOKIE, "", 0) } });
  }
}
