import { describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents, certificateHostnames, mtlsCertificates } from "@/lib/db/schema";
import { createApplication } from "@/lib/domain/applications";
import { createPolicy, deletePolicy, getPolicy, listPolicies, policyApplications, updatePolicy } from "@/lib/domain/policies";
import { READ_ONLY_MESSAGE } from "@/lib/domain/result";
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
