/**
 * Sign-in at the gateway, continued from ./gateway-identity.test.ts (the same gateway and OpenID provider, from
 * ./gateway-identity-setup, on this file's own database): redirect_url only on the application's own host, the
 * chooser with several login methods, an expired session, and the flow across worker processes.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { jwtVerify } from "jose";
import { afterAll, describe, expect, it } from "vitest";
import { createLoginMethod } from "@/lib/domain/login-methods";
import { updateApplication } from "@/lib/domain/applications";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { authorizeAtIdp, startIdp } from "../helpers/oidc-provider";
import { Jar, type Res } from "./identity-fixtures";
import { WIKI, DOCS, origin, gw, ca, idp, docs, corporate, request, base, signIn, jwks, setCa } from "./gateway-identity-setup";

describe("sign-in at the gateway (one process)", () => {
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
      setCa(identity.cert);
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
        setCa(prevCa);
      }
    } finally {
      await second.close();
    }
  });
});
