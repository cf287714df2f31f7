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
 * The two sign-in steps are ./sign-in; the paths and cookies ./http.
 *
 * Failures are pages that say what happened (never a 500): a tampered or expired cookie is simply no session.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { CompiledApp, HostContext } from "../context";
import type { Signer } from "../jwt";
import { CALLBACK_PATH, cookie, cookieValue, IDENTITY_PATH, LOGIN_PATH, LOGOUT_PATH, originOf, SESSION_COOKIE } from "./http";
import { isBrowser, sendJson, sendMessage } from "./pages";
import { Providers } from "./providers";
import { Sessions, type Session } from "./session";
import { SignInFlow, type RouteContext } from "./sign-in";
import type { IdentitySource } from "./source";

export { ACCESS_PREFIX, BINDING_COOKIE, CALLBACK_PATH, cookieValue, IDENTITY_PATH, LOGIN_PATH, LOGOUT_PATH, originOf, SESSION_COOKIE, SIGN_IN_TTL_MS } from "./http";
export type { Session };

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

export interface IdentityOptions {
  signer: Signer;
  source: IdentitySource;
}

export class GatewayIdentity {
  private sessions: Sessions;
  private providers: Providers;
  private signIn: SignInFlow;

  constructor(opts: IdentityOptions) {
    this.sessions = new Sessions(opts.signer);
    this.providers = new Providers(opts.source);
    this.signIn = new SignInFlow({ ...opts, providers: this.providers });
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
          return await this.signIn.login(req, res, rc, url);
        case CALLBACK_PATH:
          return await this.signIn.callback(req, res, rc, url);
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
