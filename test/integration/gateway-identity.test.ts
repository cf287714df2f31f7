/**
 * Sign-in at the gateway against a real OpenID provider (oidc-provider on loopback), through the real gateway over
 * TLS, in this process and with worker processes: the redirect to /cdn-cgi/access/login, the provider, the
 * callback, the CF_Authorization cookie, the JWT the origin receives; an email outside the allowed domain (403);
 * mTLS as a second factor (no client certificate → 403 even when signed in); logout; an expired session; a tampered
 * cookie; a replayed state and one from another browser; an unverified email; non-browser clients (401 JSON, never a
 * redirect); redirect_url on another host; the chooser with two login methods; get-identity; the access log.
 * The login page's redirect_url, several login methods, an expired session and the worker processes are in
 * ./gateway-identity-login.test.ts; the shared gateway and provider in ./gateway-identity-setup.
 */
import { decodeJwt, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { SIGN_IN_REASON } from "@/lib/access";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { authorizeAtIdp } from "../helpers/oidc-provider";
import { Jar } from "./identity-fixtures";
import { WIKI, DOCS, origin, gw, idp, wiki, corporate, device, request, base, signIn, jwks } from "./gateway-identity-setup";

describe("sign-in at the gateway (one process)", () => {
  it("a browser without a session is sent to /cdn-cgi/access/login with the original URL; an API client gets 401 JSON", async () => {
    const r = await request(gw.port, `${base(WIKI)}/page?x=1`, { cert: device });
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe(`${base(WIKI)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${base(WIKI)}/page?x=1`)}`);
    expect(r.headers["set-cookie"]).toBeUndefined();
    for (const accept of ["application/json", "*/*"]) {
      const api = await request(gw.port, `${base(WIKI)}/page`, { cert: device, accept });
      expect(api.status).toBe(401);
      expect(api.headers.location).toBeUndefined();
      expect(JSON.parse(api.body)).toMatchObject({ success: false, status: 401, error: "Unauthorized", login_url: `${base(WIKI)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${base(WIKI)}/page`)}` });
    }
  });

  it("one login method: straight to the provider with the code flow, PKCE (S256), state and nonce; then back with a host-only session cookie, and the origin gets the JWT", async () => {
    const jar = new Jar();
    const n = origin.seen.length;
    const first = await request(gw.port, `${base(WIKI)}/page?x=1`, { jar, cert: device });
    const toIdp = await request(gw.port, String(first.headers.location), { jar, cert: device });
    expect(toIdp.status).toBe(302);
    const authorize = new URL(String(toIdp.headers.location));
    expect(`${authorize.origin}${authorize.pathname}`).toBe(`${idp.issuer}/auth`);
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: "code",
      client_id: idp.clientId,
      redirect_uri: `${base(WIKI)}/cdn-cgi/access/callback`,
      scope: "openid email profile",
      code_challenge_method: "S256",
    });
    for (const p of ["state", "nonce", "code_challenge"]) expect(authorize.searchParams.get(p)).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(String(toIdp.headers["set-cookie"])).toMatch(/^CF_Access_Sign_In=[A-Za-z0-9_-]{43}; Path=\/cdn-cgi\/access; Max-Age=600; Secure; HttpOnly; SameSite=Lax$/);

    idp.login({ sub: "u-alice", email: "Alice@Example.com", email_verified: true });
    const callbackUrl = await authorizeAtIdp(authorize.toString(), `${base(WIKI)}/cdn-cgi/access/callback`);
    const cb = await request(gw.port, callbackUrl.toString(), { jar, cert: device });
    expect(cb.status).toBe(302);
    expect(cb.headers.location).toBe(`${base(WIKI)}/page?x=1`);
    const setCookie = String(cb.headers["set-cookie"]);
    expect(setCookie).toMatch(/^CF_Authorization=[\w-]+\.[\w-]+\.[\w-]+; Path=\/; Max-Age=3600; Secure; HttpOnly; SameSite=Lax$/);
    expect(setCookie).not.toMatch(/Domain=/i);
    const session = jar.get("CF_Authorization") as string;
    const { payload } = await jwtVerify(session, await jwks(), { audience: wiki.aud, issuer: base(WIKI) });
    expect(payload.email).toBe("alice@example.com");
    expect(payload.exp! - payload.iat!).toBe(3600);

    const page = await request(gw.port, `${base(WIKI)}/page?x=1`, { jar, cert: device });
    expect(page.status).toBe(200);
    expect(page.body).toBe("origin ok");
    const seen = origin.seen.slice(n);
    expect(seen).toHaveLength(1);
    expect(seen[0].headers["cf-access-jwt-assertion"]).toBe(session);
    expect(String(seen[0].headers.cookie ?? "")).not.toContain("CF_Authorization");
    // The same cookie keeps working (cached verification) and is not replaced.
    const again = await request(gw.port, `${base(WIKI)}/other`, { jar, cert: device });
    expect(again.status).toBe(200);
    expect(String(again.headers["set-cookie"] ?? "")).not.toContain("CF_Authorization");

    const me = await request(gw.port, `${base(WIKI)}/cdn-cgi/access/get-identity`, { jar, accept: "application/json" });
    expect(me.status).toBe(200);
    expect(JSON.parse(me.body)).toMatchObject({ email: "alice@example.com", idp: { id: corporate.id, type: "oidc" }, application: { id: wiki.id, name: "Wiki" } });
    expect((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/get-identity`, { accept: "application/json" })).status).toBe(401);

    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: WIKI });
    expect(items.some((r) => r.decision === "deny" && r.reason === SIGN_IN_REASON)).toBe(true);
    expect(items.some((r) => r.decision === "allow" && /\[signed in as alice@example\.com\]$/.test(r.reason ?? ""))).toBe(true);
  });

  it("mTLS as a second factor: signed in but without a client certificate is refused (403), as is an email outside the domain", async () => {
    const jar = new Jar();
    const { callback } = await signIn(WIKI, { sub: "u-bob", email: "bob@example.com", email_verified: true }, { jar, cert: device });
    expect(callback.status).toBe(302);
    const noCert = await request(gw.port, `${base(WIKI)}/`, { jar });
    expect(noCert.status).toBe(403);
    expect(noCert.body).toMatch(/Forbidden/);
    expect(noCert.body).toMatch(/no client certificate presented/);
    expect((await request(gw.port, `${base(WIKI)}/`, { jar, cert: device })).status).toBe(200);

    const outsider = new Jar();
    const r = await signIn(WIKI, { sub: "u-eve", email: "eve@elsewhere.org", email_verified: true }, { jar: outsider, cert: device });
    expect(r.callback.status).toBe(302);
    const refused = await request(gw.port, `${base(WIKI)}/`, { jar: outsider, cert: device });
    expect(refused.status).toBe(403);
    expect(refused.headers.location).toBeUndefined();
    const json = await request(gw.port, `${base(WIKI)}/`, { jar: outsider, cert: device, accept: "application/json" });
    expect(json.status).toBe(403);
    expect(JSON.parse(json.body)).toMatchObject({ success: false, status: 403 });
  });

  it("an unverified email is refused with a clear page, and no session is set", async () => {
    const jar = new Jar();
    const { callback } = await signIn(WIKI, { sub: "u-unverified", email: "mallory@example.com", email_verified: false }, { jar, cert: device });
    expect(callback.status).toBe(403);
    expect(callback.body).toMatch(/<h1>Email address not verified<\/h1>/);
    expect(callback.body).toMatch(/is not verified/);
    expect(jar.get("CF_Authorization")).toBeUndefined();
  });

  it("a replayed state is refused, and so is a callback from another browser (which leaves the real one usable)", async () => {
    const jar = new Jar();
    const { callback, callbackUrl } = await signIn(WIKI, { sub: "u-carol", email: "carol@example.com", email_verified: true }, { jar, cert: device });
    expect(callback.status).toBe(302);
    const replay = await request(gw.port, callbackUrl.toString(), { jar, cert: device });
    expect(replay.status).toBe(400);
    expect(replay.body).toMatch(/already used, has expired/);

    // Another browser: the callback URL without (or with another) binding cookie.
    const victim = new Jar();
    const first = await request(gw.port, `${base(WIKI)}/`, { jar: victim, cert: device });
    const toIdp = await request(gw.port, String(first.headers.location), { jar: victim, cert: device });
    idp.login({ sub: "u-dave", email: "dave@example.com", email_verified: true });
    const url = await authorizeAtIdp(String(toIdp.headers.location), `${base(WIKI)}/cdn-cgi/access/callback`);
    const attacker = new Jar();
    attacker.set("CF_Access_Sign_In", "A".repeat(43));
    const foreign = await request(gw.port, url.toString(), { jar: attacker, cert: device });
    expect(foreign.status).toBe(400);
    expect(foreign.body).toMatch(/started in another browser/);
    expect(attacker.get("CF_Authorization")).toBeUndefined();
    expect((await request(gw.port, url.toString(), { cert: device })).status).toBe(400);
    const own = await request(gw.port, url.toString(), { jar: victim, cert: device });
    expect(own.status).toBe(302);
    expect(victim.get("CF_Authorization")).toBeDefined();
    // A state nobody issued.
    expect((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/callback?code=x&state=${"b".repeat(43)}`, { jar: victim })).status).toBe(400);
    expect((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/callback?code=x`, { jar: victim })).status).toBe(400);
  });

  it("a tampered or foreign cookie means a new sign-in, never a 500", async () => {
    const jar = new Jar();
    await signIn(WIKI, { sub: "u-frank", email: "frank@example.com", email_verified: true }, { jar, cert: device });
    const good = jar.get("CF_Authorization") as string;
    const [h, p, s] = good.split(".");
    const forged = Buffer.from(JSON.stringify({ ...decodeJwt(good), email: "root@example.com" })).toString("base64url");
    for (const bad of [`${h}.${forged}.${s}`, `${h}.${p}.${s.slice(0, -2)}AA`, "not-a-jwt", `${good}x`]) {
      const b = new Jar();
      b.set("CF_Authorization", bad);
      const r = await request(gw.port, `${base(WIKI)}/`, { jar: b, cert: device });
      expect(r.status).toBe(302);
      expect(String(r.headers.location)).toContain("/cdn-cgi/access/login?redirect_url=");
    }
    // A valid session of another application (another aud) does not count here.
    const d = new Jar();
    await signIn(DOCS, { sub: "u-frank", email: "frank@example.com", email_verified: true }, { jar: d, idp: corporate.id });
    const other = new Jar();
    other.set("CF_Authorization", d.get("CF_Authorization") as string);
    expect((await request(gw.port, `${base(WIKI)}/`, { jar: other, cert: device })).status).toBe(302);
  });

  it("logout ends the session", async () => {
    const jar = new Jar();
    await signIn(WIKI, { sub: "u-gina", email: "gina@example.com", email_verified: true }, { jar, cert: device });
    expect((await request(gw.port, `${base(WIKI)}/`, { jar, cert: device })).status).toBe(200);
    const token = jar.get("CF_Authorization") as string;
    const out = await request(gw.port, `${base(WIKI)}/cdn-cgi/access/logout`, { jar });
    expect(out.status).toBe(200);
    expect(out.body).toMatch(/<h1>Signed out<\/h1>/);
    expect(String(out.headers["set-cookie"])).toMatch(/^CF_Authorization=; Path=\/; Max-Age=0; Secure; HttpOnly; SameSite=Lax$/);
    expect(jar.get("CF_Authorization")).toBeUndefined();
    expect((await request(gw.port, `${base(WIKI)}/`, { jar, cert: device })).status).toBe(302);
    // This gateway process also forgets the token itself.
    const copy = new Jar();
    copy.set("CF_Authorization", token);
    expect((await request(gw.port, `${base(WIKI)}/`, { jar: copy, cert: device })).status).toBe(302);
  });
});
