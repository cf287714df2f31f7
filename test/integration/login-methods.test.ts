/**
 * Login methods in lib/domain: validation with per-field messages, roles, the client secret sealed at rest (never in
 * a DTO or the audit log, which says "set"/"changed"), PostgreSQL without PORTCULLIS_SECRET_KEY refused with the
 * sentence that names it, the application's allowed_idps, deletion refused while an application offers only that
 * method, and Test (discovery) against a real OpenID provider, a refused port, a server that is no issuer and a TLS
 * server with an untrusted certificate.
 */
import { mkdtempSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb, getDbHandle } from "@/lib/db/client";
import { applicationLoginMethods, auditEvents, loginMethods } from "@/lib/db/schema";
import { createApplication, deleteApplication, getApplication, updateApplication } from "@/lib/domain/applications";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import {
  CLIENT_SECRET_PURPOSE,
  createLoginMethod,
  deleteLoginMethod,
  getLoginMethod,
  listLoginMethods,
  loginMethodsForGateway,
  testLoginMethod,
  updateLoginMethod,
} from "@/lib/domain/login-methods";
import { loadServerCert } from "@/lib/gateway/server-cert";
import { openSecret, POSTGRES_NEEDS_KEY } from "@/lib/server/secret-box";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";
import { startIdp, type TestIdp } from "../helpers/oidc-provider";

const KEY = Buffer.alloc(32, 3).toString("base64");
let idp: TestIdp;
let engine: "pglite" | "postgres";

beforeAll(async () => {
  engine = (await getDbHandle()).engine;
  idp = await startIdp("https://app.example.test/cdn-cgi/access/callback");
});
afterAll(async () => {
  await idp?.close();
  delete process.env.PORTCULLIS_SECRET_KEY;
});

const input = (over: Record<string, unknown> = {}) => ({ name: "Corporate IdP", issuer_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret, ...over });

async function rowOf(id: string) {
  const [r] = await (await getDb()).select().from(loginMethods).where(eq(loginMethods.id, id));
  return r;
}

describe("the secret key on each engine", () => {
  it("PostgreSQL without PORTCULLIS_SECRET_KEY refuses to save, naming the variable; with it, saves", async () => {
    delete process.env.PORTCULLIS_SECRET_KEY;
    if (engine === "postgres") {
      const r = await createLoginMethod(adminActor, input({ name: "No key" }));
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.message).toBe(POSTGRES_NEEDS_KEY);
        expect(r.error.fieldErrors?.client_secret).toEqual([POSTGRES_NEEDS_KEY]);
      }
      expect(await listLoginMethods()).toEqual([]);
    } else {
      // The embedded database generates its key: saving works without the variable.
      const r = await createLoginMethod(adminActor, input({ name: "Embedded key" }));
      expect(r.ok).toBe(true);
      if (r.ok) expect((await deleteLoginMethod(adminActor, r.value.id)).ok).toBe(true);
    }
    process.env.PORTCULLIS_SECRET_KEY = KEY;
  });
});

describe("login methods", () => {
  beforeAll(() => {
    process.env.PORTCULLIS_SECRET_KEY = KEY;
  });

  it("validates every field with a message naming it", async () => {
    const r = await createLoginMethod(adminActor, { name: " ", issuer_url: "ftp://x", client_id: "", client_secret: "", scopes: "email profile", email_claim: "e mail" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("validation");
    expect(Object.keys(r.error.fieldErrors ?? {}).sort()).toEqual(["client_id", "email_claim", "issuer_url", "name", "scopes"]);
    expect(r.error.fieldErrors?.scopes).toEqual(['Scopes must include "openid" (the sign-in needs an ID token)']);
    expect(r.error.fieldErrors?.issuer_url?.[0]).toMatch(/https:\/\//);
    const noSecret = await createLoginMethod(adminActor, input({ client_secret: "" }));
    expect(!noSecret.ok && noSecret.error.fieldErrors?.client_secret).toEqual(["Client secret is required"]);
    const plainHttp = await createLoginMethod(adminActor, input({ issuer_url: "http://login.example.com" }));
    expect(!plainHttp.ok && plainHttp.error.fieldErrors?.issuer_url?.[0]).toMatch(/plain http:\/\/ only for a provider on this machine/);
  });

  it("viewers and read tokens cannot add one", async () => {
    for (const actor of [viewerActor, readTokenActor]) {
      const r = await createLoginMethod(actor, input({ name: "Nope" }));
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toBe(READ_ONLY_MESSAGE);
      const t = await testLoginMethod(actor, { issuer_url: idp.issuer });
      expect(!t.ok && t.error.message).toBe(READ_ONLY_MESSAGE);
    }
  });

  it("stores the client secret sealed, never returns or audits it, and keeps it when an update leaves it empty", async () => {
    const r = await createLoginMethod(adminActor, input({ scopes: "  openid   email ", email_claim: "" }));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const m = r.value;
    expect(m).toMatchObject({ name: "Corporate IdP", issuer_url: idp.issuer, client_id: idp.clientId, scopes: "openid email", email_claim: "email", client_secret_set: true });
    expect(JSON.stringify(m)).not.toContain(idp.clientSecret);
    const stored = await rowOf(m.id);
    expect(stored.clientSecretSealed).not.toContain(idp.clientSecret);
    expect(openSecret(stored.clientSecretSealed, CLIENT_SECRET_PURPOSE)).toBe(idp.clientSecret);

    const kept = await updateLoginMethod(adminActor, m.id, { ...input({ name: "Corporate", client_secret: "" }), version: m.version });
    expect(kept.ok).toBe(true);
    expect((await rowOf(m.id)).clientSecretSealed).toBe(stored.clientSecretSealed);
    const stale = await updateLoginMethod(adminActor, m.id, { ...input({ name: "Corporate" }), version: m.version });
    expect(!stale.ok && stale.error.kind).toBe("stale");
    const changed = await updateLoginMethod(adminActor, m.id, input({ name: "Corporate", client_secret: "a-new-secret-value" }));
    expect(changed.ok).toBe(true);
    expect(openSecret((await rowOf(m.id)).clientSecretSealed, CLIENT_SECRET_PURPOSE)).toBe("a-new-secret-value");

    const events = await (await getDb()).select().from(auditEvents).where(eq(auditEvents.resourceId, m.id));
    const text = JSON.stringify(events);
    expect(text).not.toContain(idp.clientSecret);
    expect(text).not.toContain("a-new-secret-value");
    expect(events.map((e) => [e.action, (e.after as { client_secret?: string } | null)?.client_secret])).toEqual([
      ["login_method.create", "set"],
      ["login_method.update", "unchanged"],
      ["login_method.update", "changed"],
    ]);
    const gw = (await loginMethodsForGateway()).find((g) => g.id === m.id);
    expect(gw).toMatchObject({ clientSecret: "a-new-secret-value", secretError: null, name: "Corporate" });
    // Put the test provider's secret back for the next tests.
    await updateLoginMethod(adminActor, m.id, input({ name: "Corporate" }));
  });

  it("names are unique", async () => {
    const r = await createLoginMethod(adminActor, input({ name: "Corporate" }));
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.name?.[0]).toMatch(/already exists/);
  });

  it("a secret sealed under another key is reported to the gateway, never thrown", async () => {
    const [m] = await listLoginMethods();
    process.env.PORTCULLIS_SECRET_KEY = Buffer.alloc(32, 4).toString("base64");
    try {
      const gw = (await loginMethodsForGateway()).find((g) => g.id === m.id);
      expect(gw?.clientSecret).toBeNull();
      expect(gw?.secretError).toMatch(/another key/);
    } finally {
      process.env.PORTCULLIS_SECRET_KEY = KEY;
    }
  });

  it("applications offer every login method by default, or the ones they list (allowed_idps)", async () => {
    const [corp] = await listLoginMethods();
    const other = await createLoginMethod(adminActor, input({ name: "Other" }));
    if (!other.ok) throw new Error(other.error.message);
    const app = await createApplication(adminActor, { name: "Wiki", domain: "wiki.example.test", type: "self_hosted" });
    if (!app.ok) throw new Error(app.error.message);
    expect(app.value.allowed_idps).toEqual([]);
    const only = await updateApplication(adminActor, app.value.id, { domain: "wiki.example.test", name: "Wiki", allowed_idps: [corp.id] });
    expect(only.ok && only.value.allowed_idps).toEqual([corp.id]);
    const unknown = await updateApplication(adminActor, app.value.id, { domain: "wiki.example.test", name: "Wiki", allowed_idps: ["00000000-0000-4000-8000-000000000000"] });
    expect(!unknown.ok && unknown.error.fieldErrors?.allowed_idps?.[0]).toMatch(/does not exist/);
    const bad = await updateApplication(adminActor, app.value.id, { domain: "wiki.example.test", name: "Wiki", allowed_idps: "all" });
    expect(!bad.ok && bad.error.kind).toBe("validation");
    // Absent on update: unchanged.
    const same = await updateApplication(adminActor, app.value.id, { domain: "wiki.example.test", name: "Wiki 2" });
    expect(same.ok && same.value.allowed_idps).toEqual([corp.id]);

    // The only login method of an application cannot be deleted; one of several can, and leaves the others.
    const refused = await deleteLoginMethod(adminActor, corp.id);
    expect(refused.ok).toBe(false);
    if (!refused.ok) {
      expect(refused.error.kind).toBe("conflict");
      expect(refused.error.message).toMatch(/only login method of the application "Wiki 2"/);
    }
    const both = await updateApplication(adminActor, app.value.id, { domain: "wiki.example.test", name: "Wiki 2", allowed_idps: [corp.id, other.value.id] });
    expect(both.ok && both.value.allowed_idps).toEqual([corp.id, other.value.id].sort());
    const deleted = await deleteLoginMethod(adminActor, other.value.id);
    expect(deleted.ok).toBe(true);
    expect((await getApplication(app.value.id))?.allowed_idps).toEqual([corp.id]);
    expect(await getLoginMethod(other.value.id)).toBeNull();
    // Deleting the application drops its links.
    expect((await deleteApplication(adminActor, app.value.id)).ok).toBe(true);
    expect(await (await getDb()).select().from(applicationLoginMethods)).toEqual([]);
  });
});

describe("Test: discovery", () => {
  it("shows what a real OpenID provider answered", async () => {
    const r = await testLoginMethod(adminActor, { issuer_url: idp.issuer, client_id: idp.clientId });
    expect(r.ok).toBe(true);
    if (!r.ok || !r.value.ok) throw new Error(JSON.stringify(r));
    expect(r.value.provider).toMatchObject({
      issuer: idp.issuer,
      authorization_endpoint: `${idp.issuer}/auth`,
      token_endpoint: `${idp.issuer}/token`,
      userinfo_endpoint: `${idp.issuer}/me`,
      jwks_uri: `${idp.issuer}/jwks`,
      pkce_s256: true,
    });
  });

  it("unreachable: a port nobody listens on", async () => {
    const server = http.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((r) => server.close(() => r()));
    const r = await testLoginMethod(adminActor, { issuer_url: `http://127.0.0.1:${port}` });
    expect(r.ok && !r.value.ok && [r.value.kind, r.value.message]).toEqual(["unreachable", `Unreachable: 127.0.0.1:${port} refused the connection (ECONNREFUSED).`]);
  });

  it("not an OpenID Connect issuer: a web server without a discovery document, or one naming another issuer", async () => {
    const server = http.createServer((req, res) => {
      if (req.url?.startsWith("/other/")) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ issuer: "https://elsewhere.example.com", authorization_endpoint: "https://elsewhere.example.com/a" }));
        return;
      }
      res.writeHead(404, { "content-type": "text/html" });
      res.end("<h1>Not found</h1>");
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const none = await testLoginMethod(adminActor, { issuer_url: base });
      expect(none.ok && !none.value.ok && none.value.kind).toBe("not_oidc");
      expect(none.ok && !none.value.ok && none.value.message).toBe(`Not an OpenID Connect issuer: ${base}/.well-known/openid-configuration did not answer with an OpenID Connect discovery document.`);
      const other = await testLoginMethod(adminActor, { issuer_url: `${base}/other` });
      expect(other.ok && !other.value.ok && other.value.message).toMatch(/^Not an OpenID Connect issuer: its discovery document names another issuer/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("TLS error: a certificate the server does not trust", async () => {
    const cert = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "idp-tls-")) });
    const server = https.createServer({ cert: cert.cert, key: cert.key }, (_req, res) => res.end("{}"));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const r = await testLoginMethod(adminActor, { issuer_url: `https://127.0.0.1:${(server.address() as AddressInfo).port}` });
      expect(r.ok && !r.value.ok && r.value.kind).toBe("tls");
      expect(r.ok && !r.value.ok && r.value.message).toMatch(/^TLS error talking to 127\.0\.0\.1:\d+: (DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN)/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it("an issuer URL that is not one is a field error", async () => {
    const r = await testLoginMethod(adminActor, { issuer_url: "not a url" });
    expect(!r.ok && r.error.fieldErrors?.issuer_url?.[0]).toMatch(/is not a URL/);
  });
});
