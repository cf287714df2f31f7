import { beforeAll, describe, expect, it } from "vitest";
import { count, eq, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { applicationPolicies, applications, auditEvents, certificateHostnames, mtlsCertificates, policies } from "@/lib/db/schema";
import { createCertificate, deleteCertificate, getCertificate, getCertificatePem, listCertificates, PRIVATE_KEY_REFUSAL, updateCertificate } from "@/lib/domain/certificates";
import { associatedHostnames, certificateDeletionImpacts, certificateHostnameImpact, certificatesForHostname, getHostnameSettings, updateHostnameSettings } from "@/lib/domain/hostnames";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { generateRoot, generateSeedChain, type SeedChain } from "../../e2e/helpers/certs";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";

let seed: SeedChain;
let other: { pem: string; keyPem: string };

beforeAll(() => {
  seed = generateSeedChain({ rootCN: "IT Root", intermediateCN: "IT Intermediate" });
  other = generateRoot("/CN=Other Root");
});

async function auditCount(): Promise<number> {
  const db = await getDb();
  const [{ n }] = await db.select({ n: count() }).from(auditEvents);
  return n;
}

/** Every text of every row of every table, for "this secret is stored nowhere" checks. */
async function everyTableText(): Promise<string> {
  const db = await getDb();
  const tables = (await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`)) as unknown as {
    rows: { table_name: string }[];
  };
  let all = "";
  for (const { table_name } of tables.rows) {
    const res = (await db.execute(sql.raw(`select row_to_json(t)::text as j from "${table_name}" t`))) as unknown as { rows: { j: string }[] };
    all += res.rows.map((r) => r.j).join("\n");
  }
  return all;
}

describe("mTLS certificates", () => {
  let id = "";

  it("creates the seed chain with normalised hostnames, Cloudflare-shaped fields and one audit event", async () => {
    const before = await auditCount();
    const r = await createCertificate(adminActor, {
      name: "IT chain",
      certificate: `\r\nsome text around\r\n${seed.chainPem.replace(/\n/g, "\r\n")}`,
      associated_hostnames: ["Auth.Example.com", "https://api.example.com/path", "auth.example.com"],
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    id = r.value.id;
    expect(r.value.associated_hostnames).toEqual(["auth.example.com", "api.example.com"]);
    expect(r.warnings?.join(" ")).toMatch(/Reduced https:\/\/api\.example\.com\/path to api\.example\.com/);
    expect(r.value.fingerprint).toMatch(/^MD5 Fingerprint=([0-9A-F]{2}:){15}[0-9A-F]{2}$/);
    expect(r.value.chain.map((c) => c.subjectCN)).toEqual(["IT Intermediate", "IT Root"]);
    expect(JSON.stringify(r.value)).not.toContain("BEGIN CERTIFICATE");
    // expires_on is the earliest notAfter: the intermediate's 1825 days, not the root's 3650.
    expect(r.value.expires_on).toBe(r.value.chain[0].notAfter);
    expect(await auditCount()).toBe(before + 1);
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(eq(auditEvents.resourceId, id));
    expect(ev.action).toBe("mtls_certificate.create");
    expect(JSON.stringify(ev.after)).not.toMatch(/BEGIN|MII/);
    const pem = await getCertificatePem(id);
    expect(pem?.pem).toBe(seed.chainPem.replace(/\r/g, ""));
  });

  it("lists with a text filter, an expiry filter and paging", async () => {
    const all = await listCertificates();
    expect(all.total).toBe(1);
    expect(all.items[0].associated_hostnames).toEqual(["auth.example.com", "api.example.com"]);
    expect((await listCertificates({ filter: { q: "API.example" } })).total).toBe(1);
    expect((await listCertificates({ filter: { q: "nothing-like-this" } })).total).toBe(0);
    expect((await listCertificates({ filter: { status: "valid" } })).total).toBe(1);
    expect((await listCertificates({ filter: { status: "expired" } })).total).toBe(0);
    const future = new Date(Date.now() + 1900 * 86_400_000);
    expect((await listCertificates({ filter: { status: "expired" }, now: future })).total).toBe(1);
    const page2 = await listCertificates({ page: 2, perPage: 1 });
    expect(page2).toEqual({ items: [], total: 1 });
  });

  it("refuses bad uploads with the inspector's messages on the certificate field", async () => {
    const reversed = await createCertificate(adminActor, { name: "Reversed", certificate: seed.rootPem + seed.intermediatePem });
    expect(reversed.ok).toBe(false);
    if (!reversed.ok) expect(reversed.error.fieldErrors?.certificate?.join(" ")).toMatch(/wrong order/);
    const incomplete = await createCertificate(adminActor, { name: "Incomplete", certificate: seed.intermediatePem });
    expect(incomplete.ok).toBe(false);
    if (!incomplete.ok) expect(incomplete.error.fieldErrors?.certificate?.length).toBeGreaterThan(0);
    const garbage = await createCertificate(adminActor, { name: "", certificate: "hello", associated_hostnames: ["not a host", "localhost"] });
    expect(garbage.ok).toBe(false);
    if (!garbage.ok) {
      expect(garbage.error.fieldErrors?.name?.[0]).toBe("Name is required");
      expect(garbage.error.fieldErrors?.certificate?.[0]).toMatch(/No certificate found/);
    }
    const badHosts = await createCertificate(adminActor, { name: "Hosts", certificate: other.pem, associated_hostnames: ["localhost", "a b"] });
    expect(badHosts.ok).toBe(false);
    if (!badHosts.ok) expect(badHosts.error.fieldErrors?.associated_hostnames).toHaveLength(2);
    const long = await createCertificate(adminActor, { name: "x".repeat(351), certificate: other.pem });
    expect(long.ok).toBe(false);
    if (!long.ok) expect(long.error.fieldErrors?.name?.[0]).toBe("Name must be at most 350 characters");
    expect((await listCertificates()).total).toBe(1);
  });

  it("refuses a pasted private key and stores, logs and audits nothing of it", async () => {
    const before = await auditCount();
    for (const certificate of [seed.rootKeyPem, seed.chainPem + other.keyPem]) {
      const r = await createCertificate(adminActor, { name: "With key", certificate });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.fieldErrors?.certificate).toEqual([PRIVATE_KEY_REFUSAL]);
    }
    expect(await auditCount()).toBe(before);
    const text = await everyTableText();
    expect(text).not.toContain("PRIVATE KEY");
    for (const key of [seed.rootKeyPem, other.keyPem]) {
      const line = key.split("\n")[3];
      expect(line.length).toBeGreaterThan(20);
      expect(text).not.toContain(line);
    }
  });

  it("keeps names unique (case-insensitive) with a specific message", async () => {
    const r = await createCertificate(adminActor, { name: "it CHAIN", certificate: other.pem });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.name?.[0]).toBe('An mTLS certificate named "it CHAIN" already exists. Choose another name.');
  });

  it("enforces the soft limit from PORTCULLIS_MAX_CERTIFICATES", async () => {
    process.env.PORTCULLIS_MAX_CERTIFICATES = "1";
    try {
      const r = await createCertificate(adminActor, { name: "Over the limit", certificate: other.pem });
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.kind).toBe("limit");
        expect(r.error.message).toMatch(/already has 1 mTLS certificates; the limit is 1/);
      }
    } finally {
      delete process.env.PORTCULLIS_MAX_CERTIFICATES;
    }
  });

  it("refuses every write from viewers and read-only tokens", async () => {
    const before = await auditCount();
    for (const actor of [viewerActor, readTokenActor]) {
      const results = await Promise.all([
        createCertificate(actor, { name: "Viewer", certificate: other.pem }),
        updateCertificate(actor, id, { name: "Renamed", associated_hostnames: [] }),
        deleteCertificate(actor, id),
        updateHostnameSettings(actor, [{ hostname: "auth.example.com", client_certificate_forwarding: true, china_network: false }]),
      ]);
      for (const r of results) {
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.message).toBe(READ_ONLY_MESSAGE);
      }
    }
    expect(await auditCount()).toBe(before);
    expect((await getCertificate(id))?.name).toBe("IT chain");
  });

  it("updates only name and hostnames, with optimistic concurrency", async () => {
    const before = await auditCount();
    const r = await updateCertificate(adminActor, id, { name: "IT chain v2", associated_hostnames: "auth.example.com, mtls.example.com", version: 1 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.version).toBe(2);
    expect(r.value.associated_hostnames).toEqual(["auth.example.com", "mtls.example.com"]);
    expect(r.value.fingerprint).toBe((await listCertificates()).items[0].fingerprint);
    const stale = await updateCertificate(adminActor, id, { name: "Again", associated_hostnames: [], version: 1 });
    expect(stale.ok).toBe(false);
    if (!stale.ok) expect(stale.error.kind).toBe("stale");
    const missing = await updateCertificate(adminActor, "00000000-0000-4000-8000-000000000000", { associated_hostnames: [] });
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.error.kind).toBe("not_found");
    expect(await auditCount()).toBe(before + 1);
  });

  it("stores per-hostname settings for associated hostnames only", async () => {
    expect(await getHostnameSettings()).toEqual([
      { hostname: "auth.example.com", client_certificate_forwarding: false, china_network: false, forwarding_presets: [] },
      { hostname: "mtls.example.com", client_certificate_forwarding: false, china_network: false, forwarding_presets: [] },
    ]);
    const before = await auditCount();
    const ok = await updateHostnameSettings(adminActor, { settings: [{ hostname: "auth.example.com", client_certificate_forwarding: true, china_network: true }] });
    expect(ok.ok).toBe(true);
    expect(await auditCount()).toBe(before + 1);
    expect((await getHostnameSettings(["auth.example.com"]))[0]).toEqual({ hostname: "auth.example.com", client_certificate_forwarding: true, china_network: true, forwarding_presets: [] });
    // Forwarding presets: stored in their canonical order; an update without them leaves them as they are.
    const presets = await updateHostnameSettings(adminActor, [{ hostname: "auth.example.com", client_certificate_forwarding: true, china_network: true, forwarding_presets: ["xfcc", "rfc9440"] }]);
    expect(presets.ok && presets.value[0].forwarding_presets).toEqual(["rfc9440", "xfcc"]);
    await updateHostnameSettings(adminActor, [{ hostname: "auth.example.com", client_certificate_forwarding: false, china_network: true }]);
    expect((await getHostnameSettings(["auth.example.com"]))[0]).toMatchObject({ client_certificate_forwarding: false, forwarding_presets: ["rfc9440", "xfcc"] });
    const bad = await updateHostnameSettings(adminActor, [{ hostname: "auth.example.com", client_certificate_forwarding: false, china_network: true, forwarding_presets: ["nginx"] }]);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.error.message).toBe("forwarding_presets may contain only rfc9440, tls_client_auth, xfcc");
    await updateHostnameSettings(adminActor, [{ hostname: "auth.example.com", client_certificate_forwarding: true, china_network: true, forwarding_presets: [] }]);
    const unknown = await updateHostnameSettings(adminActor, [{ hostname: "other.example.com", client_certificate_forwarding: true, china_network: false }]);
    expect(unknown.ok).toBe(false);
    if (!unknown.ok) expect(unknown.error.message).toBe("other.example.com is not an associated hostname of any mTLS certificate.");
    expect(await associatedHostnames()).toEqual({ "auth.example.com": [id], "mtls.example.com": [id] });
    const trust = await certificatesForHostname("AUTH.example.com");
    expect(trust).toHaveLength(1);
    expect(trust[0].pem).toContain("BEGIN CERTIFICATE");
  });

  it("names the applications whose certificate selectors would be left unmatched", async () => {
    const db = await getDb();
    const [pol] = await db.insert(policies).values({ name: "mTLS only", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }).returning();
    const [plain] = await db.insert(policies).values({ name: "Everyone", decision: "allow", include: [{ everyone: {} }] }).returning();
    const [app] = await db.insert(applications).values({ aud: "a".repeat(64), name: "Auth portal", domain: "auth.example.com", hostname: "auth.example.com" }).returning();
    const [app2] = await db.insert(applications).values({ aud: "b".repeat(64), name: "Open app", domain: "mtls.example.com", hostname: "mtls.example.com" }).returning();
    await db.insert(applicationPolicies).values([
      { applicationId: app.id, policyId: pol.id, precedence: 1 },
      { applicationId: app2.id, policyId: plain.id, precedence: 1 },
    ]);
    expect(await certificateHostnameImpact(id, ["auth.example.com"])).toEqual([]);
    expect(await certificateHostnameImpact(id, ["mtls.example.com"])).toEqual([{ id: app.id, name: "Auth portal", hostname: "auth.example.com" }]);
    expect((await certificateHostnameImpact(id, null)).map((a) => a.name)).toEqual(["Auth portal"]);
    // The list page asks for every row at once: the same answer per certificate, none for unknown ids.
    const unknownId = "00000000-0000-4000-8000-000000000000";
    expect(await certificateDeletionImpacts([id, unknownId, "not-a-uuid"])).toEqual(
      new Map([
        [id, [{ id: app.id, name: "Auth portal", hostname: "auth.example.com" }]],
        [unknownId, []],
      ]),
    );
    // Another certificate covering the hostname keeps the selectors matchable.
    const second = await createCertificate(adminActor, { name: "Other", certificate: other.pem, associated_hostnames: ["auth.example.com"] });
    expect(second.ok).toBe(true);
    expect(await certificateHostnameImpact(id, null)).toEqual([]);
    if (second.ok) expect(await certificateDeletionImpacts([id, second.value.id])).toEqual(new Map([[id, []], [second.value.id, []]]));
    if (second.ok) expect((await deleteCertificate(adminActor, second.value.id)).ok).toBe(true);
    const upd = await updateCertificate(adminActor, id, { associated_hostnames: ["mtls.example.com"] });
    expect(upd.ok).toBe(true);
    if (upd.ok) expect(upd.warnings?.join(" ")).toMatch(/Auth portal \(auth\.example\.com\)/);
    // Settings of hostnames no longer associated are dropped.
    expect((await getHostnameSettings()).map((s) => s.hostname)).toEqual(["mtls.example.com"]);
    await updateCertificate(adminActor, id, { associated_hostnames: ["auth.example.com", "mtls.example.com"] });
  });

  it("deletes with its associations in one transaction and one audit event", async () => {
    const before = await auditCount();
    const r = await deleteCertificate(adminActor, id);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.warnings?.join(" ")).toMatch(/Deleting this certificate leaves this application with no mTLS certificate: Auth portal/);
    const db = await getDb();
    expect(await db.select().from(certificateHostnames)).toEqual([]);
    expect(await db.select().from(mtlsCertificates)).toEqual([]);
    expect(await getHostnameSettings()).toEqual([]);
    expect(await getCertificate(id)).toBeNull();
    expect(await auditCount()).toBe(before + 1);
    const again = await deleteCertificate(adminActor, id);
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.error.kind).toBe("not_found");
  });
});
