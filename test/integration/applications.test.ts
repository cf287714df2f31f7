import { beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents, certificateHostnames, mtlsCertificates } from "@/lib/db/schema";
import {
  applicationsForHostname,
  createApplication,
  deleteApplication,
  getApplication,
  listApplications,
  setApplicationPolicies,
  updateApplication,
} from "@/lib/domain/applications";
import { createPolicy, getPolicy } from "@/lib/domain/policies";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";

const HOST_REFUSAL = (h: string) =>
  `Policies with certificate rules can't match on ${h}: it is not an associated hostname of any mTLS certificate. Add it under Mutual TLS first.`;

let cn = "";
let open = "";
let block = "";

async function auditCount(): Promise<number> {
  const db = await getDb();
  const [{ n }] = await db.select({ n: count() }).from(auditEvents);
  return n;
}

async function associate(hostname: string): Promise<void> {
  const db = await getDb();
  const [cert] = await db
    .insert(mtlsCertificates)
    .values({ name: `ca ${hostname}`, certificatePem: "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----", fingerprint: "MD5 Fingerprint=00", expiresOn: new Date(Date.now() + 86400e3), chain: [] })
    .returning();
  await db.insert(certificateHostnames).values({ certificateId: cert.id, hostname });
}

async function policy(input: Record<string, unknown>): Promise<string> {
  const r = await createPolicy(adminActor, input);
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

beforeAll(async () => {
  await associate("auth.example.com");
  cn = await policy({ name: "John Doe", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  open = await policy({ name: "Office", decision: "allow", include: [{ ip: { ip: "192.0.2.0/24" } }] });
  block = await policy({ name: "Block all", decision: "deny", include: [{ everyone: {} }] });
});

describe("applications: validation", () => {
  const cases: { name: string; input: () => unknown; field: string; message: RegExp }[] = [
    { name: "missing domain", input: () => ({ name: "x" }), field: "domain", message: /Domain is required/ },
    { name: "bad domain", input: () => ({ name: "x", domain: "not a host" }), field: "domain", message: /not a valid domain/ },
    { name: "IP domain", input: () => ({ name: "x", domain: "10.0.0.1" }), field: "domain", message: /IP addresses are not allowed/ },
    { name: "blank name", input: () => ({ name: " ", domain: "a.example.com" }), field: "name", message: /must not be empty/ },
    { name: "long name", input: () => ({ name: "n".repeat(351), domain: "a.example.com" }), field: "name", message: /at most 350/ },
    { name: "other type", input: () => ({ type: "saas", domain: "a.example.com" }), field: "type", message: /self-hosted/ },
    { name: "bad duration", input: () => ({ domain: "a.example.com", session_duration: "forever" }), field: "session_duration", message: /duration/ },
    { name: "bad origin", input: () => ({ domain: "a.example.com", origin_url: "ftp://x" }), field: "origin_url", message: /http:\/\/ or https:\/\// },
    { name: "policy not a uuid", input: () => ({ domain: "a.example.com", policies: ["abc"] }), field: "policies", message: /not a policy ID/ },
    { name: "inline policy", input: () => ({ domain: "a.example.com", policies: [{ name: "x", decision: "allow", include: [] }] }), field: "policies", message: /inline application policies are not supported/ },
    { name: "duplicate policy", input: () => ({ domain: "a.example.com", policies: [open, { id: open }] }), field: "policies", message: /listed twice/ },
    { name: "unknown policy", input: () => ({ domain: "a.example.com", policies: ["00000000-0000-4000-8000-000000000000"] }), field: "policies", message: /does not exist/ },
    { name: "certificate policy on an unassociated host", input: () => ({ domain: "plain.example.com", policies: [cn] }), field: "policies", message: /^Policies with certificate rules can't match on plain\.example\.com/ },
  ];
  it.each(cases)("refuses $name with a per-field message", async ({ input, field, message }) => {
    const before = await auditCount();
    const r = await createApplication(adminActor, input());
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.fieldErrors?.[field]?.[0]).toMatch(message);
    expect(await auditCount()).toBe(before);
  });
});

describe("applications: lifecycle", () => {
  it("creates on an associated hostname with policies in link precedence order; normalises the domain", async () => {
    const before = await auditCount();
    const r = await createApplication(adminActor, {
      name: "Auth",
      domain: "https://Auth.Example.com/admin/?q=1",
      type: "self_hosted",
      policies: [{ id: open, precedence: 2 }, { id: cn, precedence: 1 }],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings?.[0]).toMatch(/Reduced/);
    expect(r.value).toMatchObject({ name: "Auth", domain: "auth.example.com/admin", type: "self_hosted", session_duration: "24h", version: 1, origin_url: null });
    expect(r.value.aud).toMatch(/^[0-9a-f]{64}$/);
    expect(r.value.policies.map((p) => [p.name, p.precedence])).toEqual([["John Doe", 1], ["Office", 2]]);
    expect(r.value.policies[0]).toMatchObject({ decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], reusable: true, app_count: 1 });
    expect(await auditCount()).toBe(before + 1);
    expect(await getApplication(r.value.aud)).toEqual(r.value);
    expect((await getPolicy(cn))?.app_count).toBe(1);
  });

  it("keeps bare-UUID order, reorders with setApplicationPolicies, and refuses a stale version", async () => {
    const r = await createApplication(adminActor, { name: "Order", domain: "auth.example.com/order", policies: [block, open, cn] });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.policies.map((p) => p.name)).toEqual(["Block all", "Office", "John Doe"]);
    const before = await auditCount();
    const s = await setApplicationPolicies(adminActor, r.value.id, [cn, block], 1);
    expect(s.ok).toBe(true);
    if (!s.ok) return;
    expect(s.value.policies.map((p) => [p.name, p.precedence])).toEqual([["John Doe", 1], ["Block all", 2]]);
    expect(s.value.version).toBe(2);
    expect(await auditCount()).toBe(before + 1);
    const stale = await setApplicationPolicies(adminActor, r.value.id, [open], 1);
    expect(!stale.ok && stale.error.kind).toBe("stale");
    const staleUpdate = await updateApplication(adminActor, r.value.id, { name: "x", domain: "auth.example.com/order", version: 1 });
    expect(!staleUpdate.ok && staleUpdate.error.message).toMatch(/changed by someone else.*Reload/);
    expect((await getApplication(r.value.id))?.policies.map((p) => p.name)).toEqual(["John Doe", "Block all"]);
    expect(await auditCount()).toBe(before + 1);
  });

  it("updates settings keeping policies unless given, and re-checks the hostname rule on a domain change", async () => {
    const r = await createApplication(adminActor, { name: "Move", domain: "auth.example.com/move", policies: [cn] });
    if (!r.ok) throw new Error(r.error.message);
    const u = await updateApplication(adminActor, r.value.id, { name: "Moved", domain: "auth.example.com/moved", session_duration: "1h", origin_url: "http://10.0.0.5:8080", version: 1 });
    expect(u.ok).toBe(true);
    if (u.ok) expect(u.value).toMatchObject({ name: "Moved", session_duration: "1h", origin_url: "http://10.0.0.5:8080", version: 2, policies: [{ id: cn, precedence: 1 }] });
    const away = await updateApplication(adminActor, r.value.id, { name: "Moved", domain: "elsewhere.example.com" });
    expect(away.ok).toBe(false);
    if (!away.ok) expect(away.error.message).toBe(HOST_REFUSAL("elsewhere.example.com"));
    const dropped = await updateApplication(adminActor, r.value.id, { name: "Moved", domain: "elsewhere.example.com", policies: [open] });
    expect(dropped.ok && dropped.value.policies.map((p) => p.id)).toEqual([open]);
    const back = await setApplicationPolicies(adminActor, r.value.id, [cn]);
    expect(!back.ok && back.error.message).toBe(HOST_REFUSAL("elsewhere.example.com"));
  });

  it("refuses a second application on the same domain", async () => {
    const a = await createApplication(adminActor, { name: "One", domain: "dup.example.com" });
    expect(a.ok).toBe(true);
    const b = await createApplication(adminActor, { name: "Two", domain: "DUP.example.com" });
    expect(b.ok).toBe(false);
    if (!b.ok) expect(b.error.fieldErrors?.domain?.[0]).toMatch(/already protects dup\.example\.com/);
  });

  it("finds applications for a hostname (exact, path, wildcard) with ordered policies in PolicyForEval shape", async () => {
    const w = await createApplication(adminActor, { name: "Wild", domain: "*.example.com", policies: [open] });
    expect(w.ok).toBe(true);
    const apps = await applicationsForHostname("AUTH.example.com");
    const names = apps.map((a) => a.name);
    expect(names[names.length - 1]).toBe("Wild");
    expect(names).toContain("Auth");
    const auth = apps.find((a) => a.name === "Auth")!;
    expect(auth).toMatchObject({ hostname: "auth.example.com", path: "/admin" });
    expect(auth.policies).toEqual([
      { id: cn, name: "John Doe", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], require: [], exclude: [], precedence: 1 },
      { id: open, name: "Office", decision: "allow", include: [{ ip: { ip: "192.0.2.0/24" } }], require: [], exclude: [], precedence: 2 },
    ]);
    expect((await applicationsForHostname("unknown.test")).length).toBe(0);
  });

  it("lists with pagination and filters, deletes with one audit event", async () => {
    const all = await listApplications();
    expect(all.total).toBe(all.items.length);
    const page = await listApplications({ page: 2, perPage: 1 });
    expect(page.items.map((a) => a.id)).toEqual([all.items[1].id]);
    expect((await listApplications({ domain: "dup.example.com" })).items.map((a) => a.name)).toEqual(["One"]);
    const target = all.items.find((a) => a.name === "One")!;
    const before = await auditCount();
    expect((await deleteApplication(adminActor, target.id)).ok).toBe(true);
    expect(await getApplication(target.id)).toBeNull();
    expect(await auditCount()).toBe(before + 1);
    expect(!(await deleteApplication(adminActor, target.id)).ok).toBe(true);
  });

  it("refuses every change from viewers and read tokens", async () => {
    const app = (await listApplications()).items[0];
    const before = await auditCount();
    for (const actor of [viewerActor, readTokenActor]) {
      for (const r of [
        await createApplication(actor, { name: "v", domain: "v.example.com" }),
        await updateApplication(actor, app.id, { name: "v", domain: app.domain }),
        await setApplicationPolicies(actor, app.id, []),
        await deleteApplication(actor, app.id),
      ]) {
        expect(!r.ok && r.error.kind).toBe("forbidden");
        if (!r.ok) expect(r.error.message).toBe(READ_ONLY_MESSAGE);
      }
    }
    expect(await auditCount()).toBe(before);
  });
});
