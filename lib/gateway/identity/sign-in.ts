/**
 * The two steps of a sign-in at the gateway (see ./index for the whole flow):
 *
 * - `login`: the application is the one the return URL leads to on this host; one login method → straight to its
 *   provider, several → the chooser page. The authorization request is the code flow with PKCE (S256), `state` and
 *   `nonce` (openid-client); what the callback must check is stored as a one-use pending sign-in bound to this
 *   browser by the binding cookie.
 * - `callback`: the pending sign-in is taken (so a replayed state finds nothing), the browser binding compared, then
 *   openid-client exchanges the code and checks the ID token; the email comes from the ID token or the userinfo, and
 *   success sets the session cookie to a JWT the gateway signs.
 */
import { createHash, randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import * as client from "openid-client";
import { appFor } from "../../access/match";
import { normalizeTarget } from "../../access/path";
import { describeOidcError } from "../../domain/login-methods/oidc";
import type { CompiledApp, HostContext } from "../context";
import type { Signer } from "../jwt";
import { ACCESS_PREFIX, BINDING_COOKIE, CALLBACK_PATH, cookie, cookieValue, LOGIN_PATH, SESSION_COOKIE, SIGN_IN_TTL_MS } from "./http";
import { sendChooser, sendMessage } from "./pages";
import type { Providers } from "./providers";
import type { GatewayLoginMethod, IdentitySource, PendingSignIn } from "./source";

const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

export interface RouteContext {
  ctx: HostContext;
  hostname: string;
  /** https://host[:port] as the browser sees it */
  origin: string;
  /** the JWT issuer of this host */
  issuer: string;
}

export class SignInFlow {
  constructor(private opts: { signer: Signer; source: IdentitySource; providers: Providers }) {}

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
    const all = await this.opts.providers.list();
    const allowed = app.app.allowed_idps ?? [];
    return allowed.length ? all.filter((m) => allowed.includes(m.id)) : all;
  }

  async login(req: IncomingMessage, res: ServerResponse, rc: RouteContext, url: URL): Promise<void> {
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
    const provider = await this.opts.providers.config({ ...method, clientSecret: method.clientSecret });
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

  async callback(req: IncomingMessage, res: ServerResponse, rc: RouteContext, url: URL): Promise<void> {
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
    const method = await this.opts.providers.get(pending.loginMethodId);
    if (!method || method.clientSecret === null) return fail(400, "Sign-in failed", ["The login method of this sign-in is no longer available. Sign in again."], restart);
    const provider = await this.opts.providers.config({ ...method, clientSecret: method.clientSecret });
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
}
