/**
 * The official `cloudflare` SDK (v7) against our route handlers over real HTTP: certificates, hostname
 * settings, policies and applications end to end, pagination with `for await`, and the error classes the
 * SDK raises for our statuses.
 */
import Cloudflare, { AuthenticationError, BadRequestError, NotFoundError, PermissionDeniedError, RateLimitError } from "cloudflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { getSetting } from "@/lib/db/settings";
import type { Actor } from "@/lib/domain/core/actor";
import { createApiToken } from "@/lib/domain/api-tokens";
import { changeRole, createFirstAdmin, createUser } from "@/lib/domain/users";
import { generateRoot, generateSeedChain, type SeedChain } from "../../e2e/helpers/certs";
import { startApiServer, type TestApiServer } from "../api/server";

let api: TestApiServer;
let accountId: string;
let editToken: string;
let readToken: string;
let viewerOwnedToken: string;
let seed: SeedChain;
let cf: Cloudflare;

const client = (apiToken: string, opts: { maxRetries?: number } = {}) =>
  new Cloudflare({ apiToken, baseURL: api.baseURL, maxRetries: opts.maxRetries ?? 0 });

async function token(actor: Actor, name: string, permission: "read" | "edit"): Promise<string> {
  const r = await createApiToken(actor, { name, permission });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.secret;
}

beforeAll(async () => {
  api = await startApiServer();
  seed = generateSeedChain({ rootCN: "API Root", intermediateCN: "API Intermediate" });
  const admin = await createFirstAdmin({ email: "admin@example.com", name: "Admin", password: "a-long-password-1" }, null);
  if (!admin.ok) throw new Error(admin.error.message);
  const adminActor: Actor = { type: "user", id: admin.value.id, label: admin.value.email, role: "admin", permission: "edit" };
  editToken = await token(adminActor, "ci-edit", "edit");
  readToken = await token(adminActor, "ci-read", "read");
  const ops = await createUser(adminActor, { email: "ops@example.com", name: "Ops", password: "a-long-password-1", role: "admin" });
  if (!ops.ok) throw new Error(ops.error.message);
  viewerOwnedToken = await token({ type: "user", id: ops.value.id, label: ops.value.email, role: "admin", permission: "edit" }, "ops-edit", "edit");
  await changeRole(adminActor, { id: ops.value.id, role: "viewer" });
  accountId = (await getSetting<string>(await getDb(), "account_id"))!;
  cf = client(editToken);
});

afterAll(async () => {
  await api?.close();
});

describe("cloudflare SDK against /client/v4", () => {
  it("verifies the token", async () => {
    const v = await cf.user.tokens.verify();
    expect(v.status).toBe("active");
    expect(v.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  let certId: string;
  it("creates the seed chain with hostnames; never returns the PEM", async () => {
    const cert = await cf.zeroTrust.access.certificates.create({
      account_id: accountId,
      name: "Seed chain",
      certificate: seed.chainPem,
      associated_hostnames: ["admin.example.com", "app.example.com"],
    });
    certId = cert.id!;
    expect(cert.name).toBe("Seed chain");
    expect(cert.fingerprint).toMatch(/^MD5 Fingerprint=([0-9A-F]{2}:){15}[0-9A-F]{2}$/);
    expect(cert.associated_hostnames).toEqual(["admin.example.com", "app.example.com"]);
    expect(JSON.stringify(cert)).not.toContain("BEGIN CERTIFICATE");
    const got = await cf.zeroTrust.access.certificates.get(certId, { account_id: accountId });
    expect(got.id).toBe(certId);
    expect(JSON.stringify(got)).not.toContain("BEGIN CERTIFICATE");
  });

  it("lists with for-await over several pages and stops", async () => {
    for (let i = 0; i < 4; i++) {
      await cf.zeroTrust.access.certificates.create({ account_id: accountId, name: `Extra root ${i}`, certificate: generateRoot(`/CN=Extra Root ${i}`).pem });
    }
    const names: string[] = [];
    for await (const c of cf.zeroTrust.access.certificates.list({ account_id: accountId, per_page: 2 })) names.push(c.name!);
    expect(names).toHaveLength(5);
    expect(new Set(names).size).toBe(5);
    const page = await cf.zeroTrust.access.certificates.list({ account_id: accountId, per_page: 2, page: 2 });
    expect(page.result).toHaveLength(2);
    expect(page.result_info).toMatchObject({ page: 2, per_page: 2, count: 2, total_count: 5 });
    const past = await cf.zeroTrust.access.certificates.list({ account_id: accountId, per_page: 2, page: 9 });
    expect(past.result).toEqual([]);
  });

  it("updates hostnames and hostname settings", async () => {
    const updated = await cf.zeroTrust.access.certificates.update(certId, {
      account_id: accountId,
      associated_hostnames: ["admin.example.com", "api.example.com"],
      name: "Seed chain (renamed)",
    });
    expect(updated.associated_hostnames).toEqual(["admin.example.com", "api.example.com"]);
    expect(updated.name).toBe("Seed chain (renamed)");
    const put = await cf.zeroTrust.access.certificates.settings.update({
      account_id: accountId,
      settings: [{ hostname: "admin.example.com", china_network: false, client_certificate_forwarding: true }],
    });
    expect(put.result).toEqual([{ hostname: "admin.example.com", china_network: false, client_certificate_forwarding: true, forwarding_presets: [] }]);
    const all = [];
    for await (const s of cf.zeroTrust.access.certificates.settings.get({ account_id: accountId })) all.push(s);
    expect(all).toEqual([
      { hostname: "admin.example.com", china_network: false, client_certificate_forwarding: true, forwarding_presets: [] },
      { hostname: "api.example.com", china_network: false, client_certificate_forwarding: false, forwarding_presets: [] },
    ]);
  });

  let policyId: string;
  let appId: string;
  it("creates a Service Auth / Common Name policy and an app that uses it", async () => {
    const policy = await cf.zeroTrust.access.policies.create({
      account_id: accountId,
      name: "mTLS devices",
      decision: "non_identity",
      include: [{ common_name: { common_name: "John Doe" } }],
    });
    policyId = policy.id!;
    expect(policy).toMatchObject({ name: "mTLS devices", decision: "non_identity", reusable: true, session_duration: "24h" });
    const app = await cf.zeroTrust.access.applications.create({
      account_id: accountId,
      type: "self_hosted",
      name: "Admin",
      domain: "admin.example.com",
      policies: [{ id: policyId, precedence: 1 }],
    });
    appId = app.id!;
    expect(app).toMatchObject({ name: "Admin", domain: "admin.example.com", type: "self_hosted" });
    const pols = (app as { policies?: { id: string; precedence: number; name: string }[] }).policies!;
    expect(pols.map((p) => [p.id, p.precedence, p.name])).toEqual([[policyId, 1, "mTLS devices"]]);
    const viaString = await cf.zeroTrust.access.applications.update(appId, {
      account_id: accountId,
      type: "self_hosted",
      domain: "admin.example.com",
      name: "Admin portal",
      policies: [policyId],
    });
    expect(viaString.name).toBe("Admin portal");
    const got = await cf.zeroTrust.access.applications.get(appId, { account_id: accountId });
    expect((got as { policies?: { precedence: number }[] }).policies?.[0]?.precedence).toBe(1);
    const listed = [];
    for await (const a of cf.zeroTrust.access.applications.list({ account_id: accountId })) listed.push(a);
    expect(listed.map((a) => a.id)).toEqual([appId]);
    const p = await cf.zeroTrust.access.policies.get(policyId, { account_id: accountId });
    expect(p.app_count).toBe(1);
    const updatedPolicy = await cf.zeroTrust.access.policies.update(policyId, {
      account_id: accountId,
      name: "mTLS devices v2",
      decision: "non_identity",
      include: [{ certificate: {} }],
    });
    expect(updatedPolicy.name).toBe("mTLS devices v2");
  });

  it("refuses bad input with BadRequestError and our specific messages", async () => {
    const err = await cf.zeroTrust.access.certificates
      .create({ account_id: accountId, name: "x".repeat(400), certificate: "not a pem", associated_hostnames: ["not a host!"] })
      .catch((e) => e);
    expect(err).toBeInstanceOf(BadRequestError);
    const messages = (err as BadRequestError).errors.map((e) => e.message);
    expect(messages.length).toBeGreaterThanOrEqual(3);
    for (const m of messages) expect(m).toMatch(/^access\.api\.error\.invalid_request: /);
    expect(messages.join("\n")).toMatch(/Name must be at most 350 characters/);
    const badPolicy = await cf.zeroTrust.access.policies
      .create({ account_id: accountId, name: "bad", decision: "maybe" as "allow", include: [] })
      .catch((e) => e);
    expect(badPolicy).toBeInstanceOf(BadRequestError);
    const badApp = await cf.zeroTrust.access.applications
      .create({ account_id: accountId, type: "self_hosted", domain: "x.example.com", policies: ["not-a-uuid"] })
      .catch((e) => e);
    expect(badApp).toBeInstanceOf(BadRequestError);
    expect((badApp as BadRequestError).errors[0].message).toMatch(/not a policy ID/);
  });

  it("answers 404 for another account id and unknown ids", async () => {
    const other = await cf.zeroTrust.access.certificates.list({ account_id: "0".repeat(32) }).catch((e) => e);
    expect(other).toBeInstanceOf(NotFoundError);
    const missing = await cf.zeroTrust.access.policies.get("00000000-0000-4000-8000-000000000000", { account_id: accountId }).catch((e) => e);
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it("authenticates and authorises", async () => {
    const bad = await client("pc_" + "A".repeat(40)).zeroTrust.access.policies.list({ account_id: accountId }).catch((e) => e);
    expect(bad).toBeInstanceOf(AuthenticationError);
    const ro = client(readToken);
    const listed = await ro.zeroTrust.access.policies.list({ account_id: accountId });
    expect(listed.result.length).toBeGreaterThan(0);
    const denied = await ro.zeroTrust.access.policies
      .create({ account_id: accountId, name: "nope", decision: "allow", include: [{ everyone: {} }] })
      .catch((e) => e);
    expect(denied).toBeInstanceOf(PermissionDeniedError);
    const viewer = await client(viewerOwnedToken)
      .zeroTrust.access.certificates.delete(certId, { account_id: accountId })
      .catch((e) => e);
    expect(viewer).toBeInstanceOf(PermissionDeniedError);
    const byKey = new Cloudflare({ apiEmail: "admin@example.com", apiKey: readToken, baseURL: api.baseURL, maxRetries: 0 });
    expect((await byKey.zeroTrust.access.certificates.get(certId, { account_id: accountId })).id).toBe(certId);
    const wrongEmail = new Cloudflare({ apiEmail: "ops@example.com", apiKey: readToken, baseURL: api.baseURL, maxRetries: 0 });
    expect(await wrongEmail.zeroTrust.access.certificates.get(certId, { account_id: accountId }).catch((e) => e)).toBeInstanceOf(AuthenticationError);
  });

  it("deletes everything, attributed to the token in the audit log", async () => {
    expect(await cf.zeroTrust.access.applications.delete(appId, { account_id: accountId })).toEqual({ id: appId });
    expect(await cf.zeroTrust.access.policies.delete(policyId, { account_id: accountId })).toEqual({ id: policyId });
    expect(await cf.zeroTrust.access.certificates.delete(certId, { account_id: accountId })).toEqual({ id: certId });
    const gone = await cf.zeroTrust.access.certificates.get(certId, { account_id: accountId }).catch((e) => e);
    expect(gone).toBeInstanceOf(NotFoundError);
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(eq(auditEvents.actorType, "token"));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["mtls_certificate.create", "policy.create", "application.delete"]));
    expect(new Set(events.map((e) => e.actor))).toEqual(new Set(["token:ci-edit (admin@example.com)"]));
  });

  it("rate limits per token with 429 and Retry-After", async () => {
    process.env.PORTCULLIS_API_RATE_LIMIT = "3/60";
    try {
      const limited = client(readToken);
      for (let i = 0; i < 3; i++) await limited.user.tokens.verify();
      const res = await fetch(`${api.baseURL}/user/tokens/verify`, { headers: { authorization: `Bearer ${readToken}` } });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(res.headers.get("content-type")).toMatch(/application\/json/);
      expect(await limited.user.tokens.verify().catch((e) => e)).toBeInstanceOf(RateLimitError);
      // Another token has its own budget.
      expect((await cf.user.tokens.verify()).status).toBe("active");
    } finally {
      delete process.env.PORTCULLIS_API_RATE_LIMIT;
    }
  });
});
