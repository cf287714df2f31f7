import { execFileSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { count } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate, PRIVATE_KEY_REFUSAL } from "@/lib/domain/certificates";
import { setCertificateCrl, removeCertificateCrl } from "@/lib/domain/crls";
import { createPolicy } from "@/lib/domain/policies";
import { buildHostnameContext, evaluateClientCertificate, testClientCertificate, type TestMtlsResult } from "@/lib/domain/test-mtls";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { POST, GET } from "@/app/api/v1/test-mtls/route";
import { ContextCache } from "@/lib/gateway/context";
import { crlCacheStats } from "@/lib/pki";
import { generateRoot } from "../../e2e/helpers/certs";
import { generateLargeCrl } from "../pki/large-crl";
import { adminActor } from "../helpers/actors";
import { generateTestPki, type TestPki } from "./test-mtls-pki";

const HOST = "auth.example.com";
let pki: TestPki;
let certId = "";
let policyId = "";
let appId = "";

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

async function run(input: Record<string, unknown>): Promise<TestMtlsResult> {
  return must(await testClientCertificate(input));
}

const step = (r: TestMtlsResult, id: string) => r.steps.find((s) => s.id === id);

beforeAll(async () => {
  pki = generateTestPki({ rootCN: "TM Root", intermediateCN: "TM Intermediate" });
  certId = must(await createCertificate(adminActor, { name: "TM chain", certificate: pki.seed.chainPem, associated_hostnames: [HOST] })).id;
  policyId = must(
    await createPolicy(adminActor, { name: "TM John Doe", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }),
  ).id;
  appId = must(await createApplication(adminActor, { name: "TM app", domain: HOST, policies: [policyId] })).id;
});

describe("Test mTLS: the seed walkthrough", () => {
  it("allows John Doe by the Service Auth / Common Name policy, with every step passing", async () => {
    const r = await run({ hostname: HOST, certificate: pki.johnPem });
    expect(r).toMatchObject({ decision: "allow", outcome: "service_auth", policy: { id: policyId, name: "TM John Doe", decision: "non_identity" } });
    expect(r.application).toMatchObject({ id: appId, name: "TM app", domain: HOST });
    expect(r.reason).toBe('Allowed by Service Auth policy "TM John Doe"');
    expect(r.certificate.valid).toBe(true);
    expect(r.certificate.leaf?.subjectCN).toBe("John Doe");
    // Chain diagram: leaf → intermediate → root, the CAs from the trust store.
    expect(r.chain.map((c) => [c.role, c.subjectCN, c.trusted])).toEqual([
      ["leaf", "John Doe", false],
      ["intermediate", "TM Intermediate", true],
      ["root", "TM Root", true],
    ]);
    expect(r.steps.every((s) => s.status === "pass")).toBe(true);
    const groups = new Set(r.steps.map((s) => s.group));
    for (const g of ["certificate", "chain", "validity", "revocation", "purpose", "hostname", "application", "policy", "rule"]) expect(groups).toContain(g);
    expect(step(r, "signature:0")?.label).toMatch(/John Doe.*signature by.*TM Intermediate/);
    expect(step(r, "signature:1")?.label).toMatch(/TM Intermediate.*signature by.*TM Root/);
    expect(step(r, "revocation")?.detail).toMatch(/No CRL is stored/);
    const rule = r.steps.find((s) => s.group === "rule");
    expect(rule).toMatchObject({ label: 'Include Common Name "John Doe"', status: "pass", level: 1 });
  });

  it("blocks Jane Roe with the reason (Common Name mismatch, default deny)", async () => {
    const r = await run({ hostname: HOST, certificate: pki.janePem });
    expect(r).toMatchObject({ decision: "deny", outcome: "default_deny", policy: null });
    expect(r.certificate.valid).toBe(true);
    expect(r.reason).toBe("Denied by default: no policy matched");
    expect(step(r, `policy:${policyId}`)).toMatchObject({ status: "fail" });
    expect(step(r, `rule:${policyId}:include:0`)?.detail).toContain('Common Name is "Jane Roe", expected "John Doe"');
  });

  it("accepts the client's intermediates after the leaf, and the application id instead of the hostname", async () => {
    const r = await run({ application_id: appId, certificate: pki.johnWithIntermediate });
    expect(r.decision).toBe("allow");
    expect(r.hostname).toBe(HOST);
  });

  it("refuses a certificate from another CA with OpenSSL's message", async () => {
    const r = await run({ hostname: HOST, certificate: pki.strangerPem });
    expect(r.decision).toBe("deny");
    expect(r.certificate.errors[0]).toMatchObject({ code: "unable_to_get_local_issuer_certificate", message: "unable to get local issuer certificate", depth: 0 });
    expect(r.reason).toContain("unable to get local issuer certificate");
    expect(step(r, "build")?.status).toBe("fail");
    expect(step(r, `rule:${policyId}:include:0`)?.detail).toContain("client certificate invalid: unable to get local issuer certificate");
  });

  it("checks validity at the requested time", async () => {
    const r = await run({ hostname: HOST, certificate: pki.johnPem, at: "2100-01-01T00:00:00Z" });
    expect(r.decision).toBe("deny");
    expect(r.certificate.errors.map((e) => e.message)).toContain("certificate has expired");
    expect(step(r, "validity:0")?.status).toBe("fail");
    expect(r.at).toBe("2100-01-01T00:00:00.000Z");
  });

  it("blocks on a hostname no mTLS certificate is associated with", async () => {
    const r = await run({ hostname: "other.example.com", certificate: pki.johnPem });
    expect(r.decision).toBe("deny");
    expect(step(r, "hostname")).toMatchObject({ status: "fail" });
    expect(step(r, "application")).toMatchObject({ status: "fail" });
    expect(r.reason).toBe("Blocked: no application protects other.example.com");
  });

  it("says \"certificate revoked\" once a CRL revoking John Doe is uploaded, and allows again after removal", async () => {
    must(await setCertificateCrl(adminActor, certId, { crl: pki.crlRevokingJohn }));
    const r = await run({ hostname: HOST, certificate: pki.johnPem });
    expect(r.decision).toBe("deny");
    expect(r.certificate.errors.map((e) => [e.code, e.message, e.depth])).toEqual([["certificate_revoked", "certificate revoked", 0]]);
    expect(r.reason).toBe("Denied by default: no policy matched; the client certificate is invalid: certificate revoked");
    expect(step(r, "revocation:0")?.status).toBe("fail");
    // The intermediate's own issuer (the root) has no stored CRL: not checked, not an error.
    expect(step(r, "revocation:1")).toMatchObject({ status: "pass", detail: expect.stringMatching(/Not checked: no CRL from .*TM Root/) });
    expect(r.chain[0]).toMatchObject({ ok: false, errors: ["certificate revoked"] });
    // Jane is not on the list.
    expect((await run({ hostname: HOST, certificate: pki.janePem })).certificate.valid).toBe(true);
    must(await removeCertificateCrl(adminActor, certId));
    expect((await run({ hostname: HOST, certificate: pki.johnPem })).decision).toBe("allow");
  });

  it("the cached path: one context, many evaluations, same answers", async () => {
    const ctx = await buildHostnameContext(HOST);
    expect(ctx.associated).toBe(true);
    expect(ctx.snapshot.apps.map((a) => a.app.id)).toEqual([appId]);
    const a = await evaluateClientCertificate(ctx, pki.johnPem);
    const b = await evaluateClientCertificate(ctx, pki.johnPem, { at: new Date("2100-01-01T00:00:00Z") });
    expect([a.decision, b.decision]).toEqual(["allow", "deny"]);
    expect(ctx.snapshot.validator?.cacheSize).toBe(1);
  });
});

describe("Test mTLS: input", () => {
  it("validates the input with field errors", async () => {
    const r1 = await testClientCertificate({ certificate: pki.johnPem });
    expect(!r1.ok && r1.error.fieldErrors?.hostname).toEqual(["Choose an application or enter a hostname"]);
    const r2 = await testClientCertificate({ hostname: HOST, certificate: " " });
    expect(!r2.ok && r2.error.fieldErrors?.certificate?.[0]).toMatch(/Client certificate is required/);
    const r3 = await testClientCertificate({ hostname: HOST, certificate: pki.johnPem, at: "yesterday" });
    expect(!r3.ok && r3.error.fieldErrors?.at?.[0]).toMatch(/not a date and time/);
    const r4 = await testClientCertificate({ hostname: "not a host", certificate: pki.johnPem });
    expect(!r4.ok && r4.error.fieldErrors?.hostname?.[0]).toMatch(/not a valid hostname/);
    const r5 = await testClientCertificate({ application_id: "00000000-0000-4000-8000-000000000000", certificate: pki.johnPem });
    expect(!r5.ok && r5.error.kind).toBe("not_found");
  });

  it("refuses a private key without reading it, and a non-certificate with a reason", async () => {
    const r = await testClientCertificate({ hostname: HOST, certificate: pki.johnPem + pki.seed.rootKeyPem });
    expect(!r.ok && r.error.fieldErrors?.certificate).toEqual([PRIVATE_KEY_REFUSAL]);
    const junk = await run({ hostname: HOST, certificate: "hello" });
    expect(junk.decision).toBe("deny");
    expect(step(junk, "parse")?.status).toBe("fail");
  });

  it("stores and audits nothing", async () => {
    const db = await getDb();
    const [{ n: before }] = await db.select({ n: count() }).from(auditEvents);
    await run({ hostname: HOST, certificate: pki.janePem });
    const [{ n: after }] = await db.select({ n: count() }).from(auditEvents);
    expect(after).toBe(before);
  });
});

describe("POST /api/v1/test-mtls", () => {
  let secret = "";
  beforeAll(async () => {
    const u = must(await createFirstAdmin({ email: "api-admin@test.example", name: "API", password: "api-admin-password-1" }, null));
    const actor = { type: "user" as const, id: u.id, label: u.email, role: "admin" as const, permission: "edit" as const };
    secret = must(await createApiToken(actor, { name: "tester", permission: "read" })).secret;
  });
  const call = (body: unknown, token: string | null = secret) =>
    POST(
      new Request("http://localhost/api/v1/test-mtls", {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      }),
      { params: Promise.resolve({}) },
    );

  it("answers with the same trace in a Cloudflare envelope (a Read token is enough)", async () => {
    const res = await call({ hostname: HOST, certificate: pki.janePem });
    expect(res.status).toBe(200);
    const json = await res.json();
    expect(json).toMatchObject({ success: true, errors: [], result: { decision: "deny", outcome: "default_deny", hostname: HOST } });
    expect(json.result.steps.length).toBeGreaterThan(5);
  });

  it("refuses missing or bad tokens, invalid input and other methods", async () => {
    expect((await call({ hostname: HOST, certificate: pki.johnPem }, null)).status).toBe(401);
    expect((await call({ hostname: HOST, certificate: pki.johnPem }, "pc_wrong")).status).toBe(401);
    const bad = await call({ hostname: HOST });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0]).toMatchObject({ source: { pointer: "/certificate" } });
    expect((await GET(new Request("http://localhost/api/v1/test-mtls"), { params: Promise.resolve({}) })).status).toBe(405);
  });

  // Issue #12, finding 10: a viewer or Read token repeating Test mTLS must not make the server parse a large CRL
  // on every call; the gateway's validator for the same hostname reuses the same parse.
  describe("with a 60,000-entry CRL stored", () => {
    const BIG = "big-crl.example.com";
    let bigCertId = "";
    const large = (revoke: string[] = []) =>
      generateLargeCrl({
        caCert: path.join(pki.seed.dir, "intermediate.pem"),
        caKey: pki.seed.intermediateKeyPath,
        passin: ["-passin", "pass:portcullis-test"],
        count: 60_000,
        revoke,
      });
    const parses = () => crlCacheStats().parses;
    const viaApi = async (certificate: string) => {
      const res = await call({ hostname: BIG, certificate });
      expect(res.status).toBe(200);
      return (await res.json()).result as TestMtlsResult;
    };

    beforeAll(async () => {
      bigCertId = must(await createCertificate(adminActor, { name: "Big CRL chain", certificate: pki.seed.chainPem, associated_hostnames: [BIG] })).id;
      must(await createApplication(adminActor, { name: "Big CRL app", domain: BIG, policies: [policyId] }));
      must(await setCertificateCrl(adminActor, bigCertId, { crl: large() }));
    });

    it("parses the CRL once for any number of calls (action path and API), and the gateway shares that parse", async () => {
      const p0 = parses();
      expect((await run({ hostname: BIG, certificate: pki.johnPem })).decision).toBe("allow");
      const p1 = parses();
      expect(p1 - p0).toBeLessThanOrEqual(1);
      for (let i = 0; i < 4; i++) expect((await run({ hostname: BIG, certificate: pki.johnPem })).decision).toBe("allow");
      for (let i = 0; i < 3; i++) {
        const r = await viaApi(pki.johnPem);
        expect(r.decision).toBe("allow");
        expect(step(r, "revocation:0")).toMatchObject({ status: "pass" });
      }
      expect(parses()).toBe(p1);
      // The gateway builds its hostname context (validator and TLS context) from the same stored CRL.
      const identity = generateRoot("/CN=gateway.test");
      const gw = await new ContextCache({ cert: identity.pem, key: identity.keyPem }).get(BIG);
      expect(gw.validator?.crlCount).toBe(1);
      const v = await gw.validator!.validate(pki.johnWithIntermediate);
      // John Doe's revocation was checked against the stored CRL (the root has none: the gateway decides that part).
      expect(v.steps.find((s) => s.id === "revocation:0")).toMatchObject({ ok: true });
      expect(v.errors.map((e) => e.code)).not.toContain("certificate_revoked");
      expect(parses()).toBe(p1);
    });

    it("picks up a new version of the CRL at once, and parses that version once", async () => {
      const serial = execFileSync("openssl", ["x509", "-in", pki.johnPath, "-noout", "-serial"], { encoding: "utf8" }).trim().split("=")[1];
      must(await setCertificateCrl(adminActor, bigCertId, { crl: large([serial]) }));
      const p0 = parses();
      const first = await run({ hostname: BIG, certificate: pki.johnPem });
      expect(first.decision).toBe("deny");
      expect(first.certificate.errors.map((e) => e.code)).toContain("certificate_revoked");
      expect(step(first, "revocation:0")).toMatchObject({ status: "fail" });
      const p1 = parses();
      expect(p1 - p0).toBeLessThanOrEqual(1);
      for (let i = 0; i < 3; i++) expect((await viaApi(pki.johnPem)).decision).toBe("deny");
      expect((await run({ hostname: BIG, certificate: pki.janePem })).certificate.valid).toBe(true);
      expect(parses()).toBe(p1);
    });
  });
});

describe("Test mTLS: a URL on an application with a path (lib/access matching)", () => {
  const PH = "paths.example.com";
  let adminAppId = "";
  let wholeAppId = "";
  beforeAll(async () => {
    must(await createCertificate(adminActor, { name: "TM paths chain", certificate: pki.seed.chainPem, associated_hostnames: [PH] }));
    const block = must(await createPolicy(adminActor, { name: "TM block all", decision: "deny", include: [{ everyone: {} }] })).id;
    const office = must(await createPolicy(adminActor, { name: "TM office", decision: "allow", include: [{ ip: { ip: "192.0.2.0/24" } }] })).id;
    wholeAppId = must(await createApplication(adminActor, { name: "TM paths whole", domain: PH, policies: [policyId] })).id;
    adminAppId = must(await createApplication(adminActor, { name: "TM paths admin", domain: `${PH}/admin`, policies: [office, block] })).id;
  });

  it("the most specific application covering the URL's path decides, on segment boundaries", async () => {
    const r = await run({ url: `https://${PH}/admin/users?tab=1`, certificate: pki.johnPem });
    expect(r).toMatchObject({ url: `https://${PH}/admin/users?tab=1`, path: "/admin/users", access_decision: "block", decision: "deny" });
    expect(r.application).toMatchObject({ id: adminAppId, path: "/admin" });
    expect(r.policy?.name).toBe("TM block all");
    expect(r.applications_considered.map((c) => [c.id, c.matched])).toEqual([[adminAppId, true], [wholeAppId, false]]);
    expect(r.applications_considered[1].why).toBe(`the whole hostname covers /admin/users but is less specific than "TM paths admin" (${PH}/admin)`);

    const other = await run({ url: `https://${PH.toUpperCase()}/administrator`, certificate: pki.johnPem });
    expect(other).toMatchObject({ access_decision: "service_auth", decision: "allow", application: { id: wholeAppId, path: null } });
    expect(other.applications_considered.find((c) => c.id === adminAppId)).toMatchObject({ matched: false, why: `${PH}: path /admin does not cover /administrator (paths match whole segments)` });
    expect(other.identity).toMatchObject({ common_name: "John Doe", sub: expect.stringMatching(/^[0-9a-f]{64}$/) });

    // the path tricks the gateway normalises are normalised here too
    const trick = await run({ url: `https://${PH}/public/../%61dmin;x=1/`, certificate: pki.johnPem });
    expect(trick).toMatchObject({ path: "/admin;x=1/", access_decision: "block", application: { id: adminAppId } });
  });

  it("takes the client IP for IP rules, the application alone as its domain and path, and a hostname as path /", async () => {
    const office = await run({ url: `https://${PH}/admin`, certificate: pki.johnPem, ip: "192.0.2.44" });
    expect(office).toMatchObject({ access_decision: "allow", ip: "192.0.2.44", policy: { name: "TM office" } });
    const byApp = await run({ application_id: adminAppId, certificate: pki.johnPem });
    expect(byApp).toMatchObject({ url: `https://${PH}/admin`, application: { id: adminAppId }, access_decision: "block" });
    const byHost = await run({ hostname: PH, certificate: pki.johnPem });
    expect(byHost).toMatchObject({ url: `https://${PH}/`, path: "/", application: { id: wholeAppId } });
  });

  it("refuses a bad URL, a refused path, a disagreeing hostname and a bad IP as field errors", async () => {
    const err = async (input: Record<string, unknown>) => {
      const r = await testClientCertificate({ certificate: pki.johnPem, ...input });
      return r.ok ? null : r.error.fieldErrors;
    };
    expect(await err({ url: "ftp://paths.example.com/" })).toEqual({ url: ["Enter a URL such as https://app.example.com/admin"] });
    expect(await err({ url: "paths.example.com/admin" })).toEqual({ url: ["Enter a URL such as https://app.example.com/admin"] });
    expect((await err({ url: `https://${PH}/a%2Fb` }))?.url?.[0]).toBe('The URL\'s path was refused: an encoded "/" (%2F) is not allowed in the path');
    expect((await err({ url: `https://${PH}/`, hostname: HOST }))?.url?.[0]).toMatch(/is not the hostname auth\.example\.com/);
    expect((await err({ url: `https://${HOST}/`, application_id: adminAppId }))?.url?.[0]).toMatch(/not the chosen application's domain/);
    expect((await err({ url: `https://${PH}/`, ip: "300.1.1.1" }))?.ip?.[0]).toMatch(/must be an IP address/);
  });
});
