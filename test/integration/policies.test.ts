import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { startApiServer, type TestApiServer } from "../api/server";
import { generateTestPki } from "./test-mtls-pki";
import { auditEvents, certificateHostnames, mtlsCertificates } from "@/lib/db/schema";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createPolicy, deletePolicy, getPolicy, listPolicies, policyApplications, updatePolicy } from "@/lib/domain/policies";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";

const johnDoe = {
  name: "mTLS devices",
  decision: "non_identity",
  include: [{ common_name: { common_name: "John Doe" } }],
  exclude: [],
  require: [],
};

async function auditCount(): Promise<number> {
  const db = await getDb();
  const [{ n }] = await db.select({ n: count() }).from(auditEvents);
  return n;
}

async function associate(hostname: string): Promise<void> {
  const db = await getDb();
  const [cert] = await db
    .insert(mtlsCertificates)
    .values({ name: `ca for ${hostname}`, certificatePem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----", fingerprint: "MD5 Fingerprint=00", expiresOn: new Date(Date.now() + 86400e3), chain: [] })
    .returning();
  await db.insert(certificateHostnames).values({ certificateId: cert.id, hostname });
}

describe("policies: validation", () => {
  const cases: { name: string; input: unknown; field: string; message: RegExp }[] = [
    { name: "missing name", input: { ...johnDoe, name: undefined }, field: "name", message: /Policy name is required/ },
    { name: "blank name", input: { ...johnDoe, name: "  " }, field: "name", message: /must not be empty/ },
    { name: "long name", input: { ...johnDoe, name: "x".repeat(351) }, field: "name", message: /at most 350/ },
    { name: "unknown decision", input: { ...johnDoe, decision: "permit" }, field: "decision", message: /Action must be one of/ },
    { name: "no include", input: { ...johnDoe, include: [] }, field: "include", message: /at least one Include rule/ },
    { name: "empty CN", input: { ...johnDoe, include: [{ common_name: { common_name: " " } }] }, field: "include", message: /^Include rule 1: Common Name must not be empty/ },
    { name: "bad CIDR in require", input: { ...johnDoe, require: [{ ip: { ip: "10.0.0.300/8" } }] }, field: "require", message: /^Require rule 1: / },
    { name: "bad email in exclude", input: { ...johnDoe, exclude: [{ everyone: {} }, { email: { email: "nope" } }] }, field: "exclude", message: /^Exclude rule 2: "nope" is not a valid email/ },
    { name: "unsupported selector", input: { ...johnDoe, include: [{ geo: { country_code: "US" } }] }, field: "include", message: /not supported/ },
    { name: "bad duration", input: { ...johnDoe, session_duration: "1 day" }, field: "session_duration", message: /duration/ },
  ];
  it.each(cases)("refuses $name with a per-field message", async ({ input, field, message }) => {
    const r = await createPolicy(adminActor, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("validation");
    expect(r.error.fieldErrors?.[field]?.[0]).toMatch(message);
  });

  it("refuses a non-object body", async () => {
    const r = await createPolicy(adminActor, "nope");
    expect(r.ok).toBe(false);
  });
});

describe("policies: lifecycle", () => {
  it("creates the seed's Service Auth / Common Name policy in Cloudflare's shape, with one audit event", async () => {
    const before = await auditCount();
    const r = await createPolicy(adminActor, johnDoe);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ ...johnDoe, session_duration: "24h", reusable: true, app_count: 0, version: 1 });
    expect(r.value.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(await auditCount()).toBe(before + 1);
    expect(await getPolicy(r.value.id)).toEqual(r.value);
  });

  it("updates as a full replacement, bumps the version and refuses a stale version", async () => {
    const c = await createPolicy(adminActor, { ...johnDoe, name: "to update", require: [{ ip: { ip: " 10.0.0.0/8 " } }] });
    if (!c.ok) throw new Error(c.error.message);
    expect(c.value.require).toEqual([{ ip: { ip: "10.0.0.0/8" } }]);
    const before = await auditCount();
    const u = await updatePolicy(adminActor, c.value.id, { name: "updated", decision: "allow", include: [{ everyone: {} }], session_duration: "1h", version: 1 });
    expect(u.ok).toBe(true);
    if (!u.ok) return;
    expect(u.value).toMatchObject({ name: "updated", decision: "allow", include: [{ everyone: {} }], require: [], exclude: [], session_duration: "1h", version: 2 });
    expect(await auditCount()).toBe(before + 1);
    const stale = await updatePolicy(adminActor, c.value.id, { ...johnDoe, version: 1 });
    expect(stale.ok).toBe(false);
    if (!stale.ok) {
      expect(stale.error.kind).toBe("stale");
      expect(stale.error.message).toMatch(/changed by someone else.*Reload/);
    }
    expect((await getPolicy(c.value.id))?.name).toBe("updated");
    expect(await auditCount()).toBe(before + 1);
    const unversioned = await updatePolicy(adminActor, c.value.id, johnDoe);
    expect(unversioned.ok && unversioned.value.version).toBe(3);
  });

  it("reports not_found for unknown ids", async () => {
    for (const id of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
      const u = await updatePolicy(adminActor, id, johnDoe);
      expect(!u.ok && u.error.kind).toBe("not_found");
      const d = await deletePolicy(adminActor, id);
      expect(!d.ok && d.error.kind).toBe("not_found");
      expect(await getPolicy(id)).toBeNull();
    }
  });

  it("refuses to delete a policy in use, naming the applications; deletes it once unused", async () => {
    await associate("inuse.example.com");
    const p = await createPolicy(adminActor, { ...johnDoe, name: "in use" });
    if (!p.ok) throw new Error(p.error.message);
    const a1 = await createApplication(adminActor, { name: "Beta app", domain: "inuse.example.com", policies: [p.value.id] });
    const a2 = await createApplication(adminActor, { name: "Alpha app", domain: "inuse.example.com/admin", policies: [{ id: p.value.id, precedence: 1 }] });
    expect(a1.ok && a2.ok).toBe(true);
    expect((await getPolicy(p.value.id))?.app_count).toBe(2);
    expect((await policyApplications([p.value.id])).get(p.value.id)?.map((a) => a.name)).toEqual(["Alpha app", "Beta app"]);
    const before = await auditCount();
    const d = await deletePolicy(adminActor, p.value.id);
    expect(d.ok).toBe(false);
    if (!d.ok) {
      expect(d.error.kind).toBe("conflict");
      expect(d.error.message).toBe('Policy "in use" is still used by 2 applications: "Alpha app", "Beta app". Remove it from those applications first.');
      expect((d.error.detail as { applications: { name: string }[] }).applications.map((a) => a.name)).toEqual(["Alpha app", "Beta app"]);
    }
    expect(await auditCount()).toBe(before);
    const unused = await createPolicy(adminActor, { ...johnDoe, name: "unused" });
    if (!unused.ok) throw new Error(unused.error.message);
    const ok = await deletePolicy(adminActor, unused.value.id);
    expect(ok.ok).toBe(true);
    expect(await getPolicy(unused.value.id)).toBeNull();
    expect(await auditCount()).toBe(before + 2);
  });

  it("refuses adding certificate rules to a policy used on an unassociated hostname", async () => {
    const p = await createPolicy(adminActor, { name: "open", decision: "allow", include: [{ everyone: {} }] });
    if (!p.ok) throw new Error(p.error.message);
    const a = await createApplication(adminActor, { name: "Plain", domain: "plain.example.com", policies: [p.value.id] });
    expect(a.ok).toBe(true);
    const u = await updatePolicy(adminActor, p.value.id, { ...johnDoe, name: "open" });
    expect(u.ok).toBe(false);
    if (!u.ok) expect(u.error.message).toMatch(/^Policies with certificate rules can't match on plain\.example\.com: it is not an associated hostname of any mTLS certificate\. Add it under Mutual TLS first\./);
  });

  it("lists with pagination and totals", async () => {
    const all = await listPolicies();
    expect(all.total).toBe(all.items.length);
    const page1 = await listPolicies({ page: 1, perPage: 2 });
    const page2 = await listPolicies({ page: 2, perPage: 2 });
    expect(page1.items).toHaveLength(2);
    expect(page1.total).toBe(all.total);
    expect(page2.items.map((p) => p.id)).toEqual(all.items.slice(2, 4).map((p) => p.id));
    expect((await listPolicies({ page: 999, perPage: 10 })).items).toEqual([]);
  });

  it("refuses every change from viewers and read tokens without writing audit events", async () => {
    const p = await createPolicy(adminActor, { ...johnDoe, name: "guarded" });
    if (!p.ok) throw new Error(p.error.message);
    const before = await auditCount();
    for (const actor of [viewerActor, readTokenActor]) {
      for (const r of [
        await createPolicy(actor, johnDoe),
        await updatePolicy(actor, p.value.id, johnDoe),
        await deletePolicy(actor, p.value.id),
      ]) {
        expect(r.ok).toBe(false);
        if (!r.ok) {
          expect(r.error.kind).toBe("forbidden");
          expect(r.error.message).toBe(READ_ONLY_MESSAGE);
        }
      }
    }
    expect(await auditCount()).toBe(before);
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(eq(auditEvents.resourceId, p.value.id));
    expect(events.map((e) => e.action)).toEqual(["policy.create"]);
  });
});

/**
 * Every selector is enforceable at the gateway now (sign-in for Emails / Emails ending in, service tokens for the
 * token selectors): such policies save without warnings. Identity rules in a Service Auth or Bypass policy are still
 * never evaluated there, and that is reported (never refused).
 */
describe("policies: rules the gateway never evaluates", () => {
  const SA_INCLUDE = "include[0] email: not evaluated in a Service Auth policy (it evaluates only non-identity selectors); this rule never matches";
  const SA_EXCLUDE = "exclude[0] email_domain: not evaluated in a Service Auth policy (it evaluates only non-identity selectors); this rule never excludes anyone";

  it("Emails, Emails ending in and service-token rules save without warnings; identity rules in Service Auth are reported", async () => {
    const c = await createPolicy(adminActor, { name: "emails", decision: "allow", include: [{ email: { email: "a@example.com" } }] });
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.warnings).toBeUndefined();
    const u = await updatePolicy(adminActor, c.value.id, {
      name: "emails",
      decision: "allow",
      include: [{ email: { email: "a@example.com" } }],
      require: [{ any_valid_service_token: {} }],
      exclude: [{ email_domain: { domain: "example.com" } }],
    });
    expect(u.ok && u.warnings).toBeUndefined();
    const enforceable = await createPolicy(adminActor, { ...johnDoe, name: "enforceable" });
    expect(enforceable.ok && enforceable.warnings).toBeUndefined();
    const sa = await createPolicy(adminActor, { ...johnDoe, name: "sa with email", exclude: [{ email: { email: "a@example.com" } }] });
    expect(sa.ok && sa.warnings).toEqual(["exclude[0] email: not evaluated in a Service Auth policy (it evaluates only non-identity selectors); this rule never excludes anyone"]);
  });

  describe("over the v4 API", () => {
    let api: TestApiServer;
    let secret: string;
    let base: string;
    const call = (path: string, init: RequestInit = {}) =>
      fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" } });

    beforeAll(async () => {
      api = await startApiServer();
      const u = await createFirstAdmin({ email: "root@example.com", name: "Root", password: "a-long-password-1" }, null);
      if (!u.ok) throw new Error(u.error.message);
      const t = await createApiToken({ type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" }, { name: "sdk", permission: "edit" });
      if (!t.ok) throw new Error(t.error.message);
      secret = t.value.secret;
      base = `${api.baseURL}/accounts/${await getSetting<string>(await getDb(), "account_id")}/access`;
    });
    afterAll(() => api?.close());

    it("an Allow policy with Emails has no messages; a Service Auth one has them in `messages` (code 10100) on POST, GET, PUT and the list, and still succeeds", async () => {
      const allow = await (await call("/policies", { method: "POST", body: JSON.stringify({ name: "api emails", decision: "allow", include: [{ email: { email: "a@example.com" } }] }) })).json();
      expect(allow).toMatchObject({ success: true, errors: [], messages: [] });

      const body = { name: "api sa emails", decision: "non_identity", include: [{ email: { email: "a@example.com" } }] };
      const created = await call("/policies", { method: "POST", body: JSON.stringify(body) });
      expect(created.status).toBe(201);
      const c = await created.json();
      expect(c).toMatchObject({ success: true, errors: [], messages: [{ code: 10100, message: SA_INCLUDE }] });
      const id = c.result.id as string;
      expect(c.result.include).toEqual(body.include);

      const got = await (await call(`/policies/${id}`)).json();
      expect(got.messages).toEqual([{ code: 10100, message: SA_INCLUDE }]);

      const two = await call(`/policies/${id}`, { method: "PUT", body: JSON.stringify({ ...body, exclude: [{ email_domain: { domain: "example.com" } }] }) });
      expect(two.status).toBe(200);
      expect((await two.json()).messages).toEqual([{ code: 10100, message: SA_INCLUDE }, { code: 10100, message: SA_EXCLUDE }]);

      const list = await (await call("/policies")).json();
      expect(list.success).toBe(true);
      expect(list.messages).toContainEqual({ code: 10100, message: `policy ${id} ("api sa emails"): ${SA_INCLUDE} (and 1 more rule like it)` });

      const fixed = await (await call(`/policies/${id}`, { method: "PUT", body: JSON.stringify({ ...body, include: [{ ip: { ip: "10.0.0.0/8" } }] }) })).json();
      expect(fixed).toMatchObject({ success: true, messages: [] });
    });

    it("applications that embed such a policy say so too", async () => {
      const p = await (await call("/policies", { method: "POST", body: JSON.stringify({ name: "sa email only", decision: "non_identity", include: [{ email: { email: "a@example.com" } }] }) })).json();
      const created = await call("/apps", { method: "POST", body: JSON.stringify({ type: "self_hosted", name: "Emails", domain: "emails.example.com", policies: [p.result.id] }) });
      expect(created.status).toBe(201);
      const app = await created.json();
      const msg = `policy ${p.result.id} ("sa email only"): ${SA_INCLUDE}`;
      expect(app.messages).toContainEqual({ code: 10100, message: msg });
      expect((await (await call(`/apps/${app.result.id}`)).json()).messages).toEqual([{ code: 10100, message: msg }]);
    });
  });
});

describe("policies: Test mTLS explains a Require rule that did not pass", () => {
  it("a valid John Doe certificate without a service token is refused, and the Require rule's step says why", async () => {
    const host = "enforce.example.com";
    const pki = generateTestPki({ rootCN: "Enforce Root", intermediateCN: "Enforce Intermediate" });
    const cert = await createCertificate(adminActor, { name: "enforce chain", certificate: pki.seed.chainPem, associated_hostnames: [host] });
    if (!cert.ok) throw new Error(cert.error.message);
    const p = await createPolicy(adminActor, { name: "cert and token", decision: "non_identity", include: [{ certificate: {} }], require: [{ any_valid_service_token: {} }] });
    if (!p.ok) throw new Error(p.error.message);
    const app = await createApplication(adminActor, { name: "Enforce app", domain: host, policies: [p.value.id] });
    if (!app.ok) throw new Error(app.error.message);
    const r = await testClientCertificate({ hostname: host, certificate: pki.johnPem });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ decision: "deny", outcome: "default_deny", policy: null });
    expect(r.value.certificate.valid).toBe(true);
    const steps = r.value.steps;
    expect(steps.find((s) => s.id === `rule:${p.value.id}:require:0`)).toMatchObject({ status: "fail", detail: expect.stringContaining("no service token presented") });
    expect(steps.find((s) => s.id === `policy:${p.value.id}`)?.detail).toBe("Require rule 1 (Any Access Service Token) did not match: no service token presented");
  }, 600_000);
});
