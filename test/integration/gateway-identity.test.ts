/**
 * Sign-in at the gateway against a real OpenID provider (oidc-provider on loopback), through the real gateway over
 * TLS, in this process and with worker processes: the redirect to /cdn-cgi/access/login, the provider, the
 * callback, the CF_Authorization cookie, the JWT the origin receives; an email outside the allowed domain (403);
 * mTLS as a second factor (no client certificate → 403 even when signed in); logout; an expired session; a tampered
 * cookie; a replayed state and one from another browser; an unverified email; non-browser clients (401 JSON, never a
 * redirect); redirect_url on another host; the chooser with two login methods; get-identity; the access log.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, decodeJwt, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_REASON } from "@/lib/access";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createApplication, updateApplication, type ApplicationDto } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createLoginMethod, type LoginMethodDto } from "@/lib/domain/login-methods";
import { createPolicy } from "@/lib/domain/policies";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { authorizeAtIdp, startIdp, type IdpAccount, type TestIdp } from "../helpers/oidc-provider";
import { generateGatewayPki, startOrigin, type GatewayPki } from "./gateway-fixtures";
import { gatewayGet, Jar, signInAt, type Res } from "./identity-fixtures";

const WIKI = "wiki.example.com"; // Allow: Emails ending in @example.com AND Valid Certificate (mTLS as a second factor)
const DOCS = "docs.example.com"; // Allow: Emails ending in @example.com; two login methods (the chooser)
const KEY = Buffer.alloc(32, 5).toString("base64");

let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let ca: string;
let idp: TestIdp;
let wiki: ApplicationDto;
let docs: ApplicationDto;
let corporate: LoginMethodDto;
let device: { cert: string; key: string };

const gwc = () => ({ port: gw.port, ca });
const request = (port: number, url: string, opts: Parameters<typeof gatewayGet>[2] = {}) => gatewayGet({ port, ca }, url, opts);
const base = (host: string) => `https://${host}:${gw.port}`;

/** A browser visit that signs in at `host` (see identity-fixtures `signInAt`). */
function signIn(host: string, account: IdpAccount, opts: { jar: Jar; path?: string; cert?: { cert: string; key: string }; idp?: string }) {
  return signInAt(gwc(), idp, `${base(host)}${opts.path ?? "/"}`, account, opts);
}

async function jwks() {
  return createLocalJWKSet(JSON.parse((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/certs`, { accept: "application/json" })).body));
}

beforeAll(async () => {
  process.env.PORTCULLIS_SECRET_KEY = KEY;
  pki = generateGatewayPki();
  device = { cert: readFileSync(pki.client.cert, "utf8"), key: readFileSync(pki.client.key, "utf8") };
  origin = await startOrigin();
  const cert = await createCertificate(adminActor, { name: "Devices", certificate: pki.chainPem, associated_hostnames: [WIKI] });
  if (!cert.ok) throw new Error(cert.error.message);
  const people = await createPolicy(adminActor, { name: "example.com people", decision: "allow", include: [{ email_domain: { domain: "example.com" } }] });
  const withDevice = await createPolicy(adminActor, {
    name: "example.com people on a company device",
    decision: "allow",
    include: [{ email_domain: { domain: "example.com" } }],
    require: [{ certificate: {} }],
  });
  if (!people.ok || !withDevice.ok) throw new Error("policies");
  const w = await createApplication(adminActor, { name: "Wiki", domain: WIKI, session_duration: "1h", policies: [withDevice.value.id], origin_url: origin.url });
  const d = await createApplication(adminActor, { name: "Docs", domain: DOCS, session_duration: "1h", policies: [people.value.id], origin_url: origin.url });
  if (!w.ok || !d.ok) throw new Error(!w.ok ? w.error.message : !d.ok ? d.error.message : "");
  wiki = w.value;
  docs = d.value;
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-idp-")), hostnames: [WIKI, DOCS] });
  ca = identity.cert;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
  idp = await startIdp([WIKI, DOCS].map((h) => `${base(h)}/cdn-cgi/access/callback`));
  const m = await createLoginMethod(adminActor, { name: "Corporate", issuer_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret });
  if (!m.ok) throw new Error(m.error.message);
  corporate = m.value;
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  await origin?.close();
  delete process.env.PORTCULLIS_SECRET_KEY;
});

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

  it("redirect_url only on the application's own host; an unknown login method or application is refused", async () => {
    for (const target of ["https://evil.example.net/", `https://${DOCS}:${gw.port}/`, `http://${WIKI}:${gw.port}/`, "//evil.example.net/x"]) {
      const r = await request(gw.port, `${base(WIKI)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(target)}`);
      expect(r.status).toBe(400);
      expect(r.headers.location).toBeUndefined();
      expect(r.body).toMatch(/must point to https:\/\/wiki\.example\.com:\d+/);
    }
    const unknown = await request(gw.port, `${base(WIKI)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${base(WIKI)}/`)}&idp=00000000-0000-4000-8000-000000000000`);
    expect(unknown.status).toBe(400);
    expect((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/nothing-here`)).status).toBe(404);
  });

  it("several login methods: the chooser page, one button per method, each leading to its provider", async () => {
    const partners = await createLoginMethod(adminActor, { name: "Partners", issuer_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret });
    if (!partners.ok) throw new Error(partners.error.message);
    try {
      const login = `${base(DOCS)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${base(DOCS)}/guide`)}`;
      let chooser: Res = { status: 0, headers: {}, body: "" };
      // The gateway reloads its login methods within a second of the change.
      for (let i = 0; i < 40 && chooser.status !== 200; i++) {
        chooser = await request(gw.port, login);
        if (chooser.status !== 200) await new Promise((r) => setTimeout(r, 100));
      }
      expect(chooser.status).toBe(200);
      expect(chooser.body).toMatch(/<title>Sign in to Docs<\/title>/);
      expect(chooser.body).toMatch(/<h1>Sign in to Docs<\/h1>/);
      expect([...chooser.body.matchAll(/<button type="submit" name="idp" value="([^"]+)">([^<]+)<\/button>/g)].map((m) => [m[1], m[2]])).toEqual([
        [corporate.id, "Corporate"],
        [partners.value.id, "Partners"],
      ]);
      const jar = new Jar();
      const { callback } = await signIn(DOCS, { sub: "u-hana", email: "hana@example.com", email_verified: true }, { jar, path: "/guide", idp: partners.value.id });
      expect(callback.status).toBe(302);
      expect(callback.headers.location).toBe(`${base(DOCS)}/guide`);
      const { payload } = await jwtVerify(jar.get("CF_Authorization") as string, await jwks(), { audience: docs.aud, issuer: base(DOCS) });
      expect(payload).toMatchObject({ email: "hana@example.com", idp: { id: partners.value.id, type: "oidc" } });
      expect((await request(gw.port, `${base(DOCS)}/guide`, { jar })).status).toBe(200);

      // An application that offers only Partners goes straight to it (no chooser).
      const only = await updateApplication(adminActor, docs.id, { name: "Docs", domain: DOCS, session_duration: "1h", origin_url: origin.url, allowed_idps: [partners.value.id] });
      if (!only.ok) throw new Error(only.error.message);
      let direct: Res = chooser;
      for (let i = 0; i < 40 && direct.status !== 302; i++) {
        direct = await request(gw.port, login);
        if (direct.status !== 302) await new Promise((r) => setTimeout(r, 100));
      }
      expect(direct.status).toBe(302);
      expect(String(direct.headers.location).startsWith(`${idp.issuer}/auth?`)).toBe(true);
      const refusedIdp = await request(gw.port, `${login}&idp=${corporate.id}`);
      expect(refusedIdp.status).toBe(400);
      expect(refusedIdp.body).toMatch(/not offered by Docs/);
    } finally {
      await updateApplication(adminActor, docs.id, { name: "Docs", domain: DOCS, session_duration: "1h", origin_url: origin.url, allowed_idps: [] });
    }
  });

  it("an expired session signs in again", async () => {
    const short = await updateApplication(adminActor, docs.id, { name: "Docs", domain: DOCS, session_duration: "2s", origin_url: origin.url });
    if (!short.ok) throw new Error(short.error.message);
    try {
      const jar = new Jar();
      // The gateway applies a change within a second: wait until Docs offers Corporate again with the new duration.
      const login = `${base(DOCS)}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${base(DOCS)}/`)}&idp=${corporate.id}`;
      for (let i = 0; i < 40 && (await request(gw.port, login)).status !== 302; i++) await new Promise((res) => setTimeout(res, 100));
      let cb: Res | null = null;
      for (let i = 0; i < 20; i++) {
        const r = await signIn(DOCS, { sub: "u-ivan", email: "ivan@example.com", email_verified: true }, { jar, idp: corporate.id });
        cb = r.callback;
        if (/Max-Age=2;/.test(String(cb.headers["set-cookie"]))) break;
        // The gateway had not seen the new session duration yet.
        await new Promise((res) => setTimeout(res, 100));
      }
      expect(String(cb?.headers["set-cookie"])).toMatch(/Max-Age=2;/);
      expect((await request(gw.port, `${base(DOCS)}/`, { jar })).status).toBe(200);
      await new Promise((r) => setTimeout(r, 2100));
      // The browser would drop the cookie itself; a client that keeps sending it is sent to sign in again.
      const expired = await request(gw.port, `${base(DOCS)}/`, { jar });
      expect(expired.status).toBe(302);
      expect(String(expired.headers.location)).toContain("/cdn-cgi/access/login?redirect_url=");
    } finally {
      await updateApplication(adminActor, docs.id, { name: "Docs", domain: DOCS, session_duration: "1h", origin_url: origin.url });
    }
  });
});

describe("sign-in at the gateway with worker processes", () => {
  let workers: Gateway;
  afterAll(async () => {
    await workers?.close();
  });

  it("the flow works across workers (login methods and pending sign-ins over IPC), and a replay is refused", async () => {
    const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-idp-w-")), hostnames: [WIKI, DOCS] });
    workers = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
    const second = await startIdp(`https://${DOCS}:${workers.port}/cdn-cgi/access/callback`);
    try {
      const m = await createLoginMethod(adminActor, { name: "Workers IdP", issuer_url: second.issuer, client_id: second.clientId, client_secret: second.clientSecret });
      if (!m.ok) throw new Error(m.error.message);
      const b = `https://${DOCS}:${workers.port}`;
      const prevCa = ca;
      ca = identity.cert;
      try {
        const jar = new Jar();
        const first = await request(workers.port, `${b}/w`, { jar });
        expect(first.status).toBe(302);
        const toIdp = await request(workers.port, `${String(first.headers.location)}&idp=${m.value.id}`, { jar });
        expect(toIdp.status).toBe(302);
        second.login({ sub: "u-w", email: "worker@example.com", email_verified: true });
        const url = await authorizeAtIdp(String(toIdp.headers.location), `${b}/cdn-cgi/access/callback`);
        const cb = await request(workers.port, url.toString(), { jar });
        expect(cb.status).toBe(302);
        expect(cb.headers.location).toBe(`${b}/w`);
        // Several requests on new connections: whichever worker answers knows the session.
        for (let i = 0; i < 4; i++) expect((await request(workers.port, `${b}/w`, { jar })).status).toBe(200);
        expect((await request(workers.port, url.toString(), { jar })).status).toBe(400);
      } finally {
        ca = prevCa;
      }
    } finally {
      await second.close();
    }
  });
});
