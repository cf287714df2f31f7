/**
 * The tester's `sni` input (POST /api/v1/test-mtls and `portcullis test --sni`), which the differential matrix's
 * SNI/Host cases rely on: a TLS server name other than the URL's hostname is decided as the gateway decides it
 * (lib/access `misdirected`: 421 when the trust stores differ, otherwise the chain validated for the SNI's CAs).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { adminActor } from "../helpers/actors";
import { generateTestPki, type TestPki } from "../integration/test-mtls-pki";

const A = "sni-a.example.com";
const TWIN = "sni-twin.example.com";
const B = "sni-b.example.com";
const OPEN = "sni-open.example.com";
let pki: TestPki;
let other: TestPki;

const must = <T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
};

beforeAll(async () => {
  pki = generateTestPki({ rootCN: "SNI Root", intermediateCN: "SNI Intermediate" });
  other = generateTestPki({ rootCN: "SNI Other Root", intermediateCN: "SNI Other Intermediate" });
  must(await createCertificate(adminActor, { name: "SNI chain", certificate: pki.seed.chainPem, associated_hostnames: [A, TWIN] }));
  must(await createCertificate(adminActor, { name: "SNI other chain", certificate: other.seed.chainPem, associated_hostnames: [B] }));
  const john = must(await createPolicy(adminActor, { name: "SNI John", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }));
  const everyone = must(await createPolicy(adminActor, { name: "SNI everyone", decision: "allow", include: [{ everyone: {} }] }));
  for (const [name, domain, p] of [["SNI A", A, john], ["SNI B", B, john], ["SNI open", OPEN, everyone]] as const) {
    must(await createApplication(adminActor, { name, domain, policies: [p.id] }));
  }
}, 180_000);

const run = async (sni: string | undefined, url = `https://${A}/x`) => must(await testClientCertificate({ url, certificate: pki.johnWithIntermediate, ...(sni !== undefined ? { sni } : {}) }));

describe("the tester's sni input", () => {
  it("without it, or naming the URL's hostname, decides as before", async () => {
    for (const sni of [undefined, A, A.toUpperCase()]) {
      const r = await run(sni);
      expect(r.access_decision).toBe("service_auth");
      expect(r.sni).toBe(sni === undefined ? undefined : A);
    }
  });

  it.each([
    ["none sent", "", /no TLS server name \(SNI\)/],
    ["an open hostname", OPEN, /made for sni-open\.example\.com, which does not ask for a client certificate/],
    ["a hostname with other CAs", B, /checked against other CAs/],
    ["a name nothing is configured for", "unknown.example.com", /no TLS server name \(SNI\)/],
  ])("is 421 Misdirected with %s as the TLS server name, and the chain is not evaluated", async (_label, sni, reason) => {
    const r = await run(sni);
    expect(r).toMatchObject({ access_decision: "misdirected", decision: "deny", application: null, policy: null, chain: [], identity: null });
    expect(r.reason).toMatch(reason);
    expect(r.steps).toEqual([expect.objectContaining({ id: "sni", status: "fail", label: `TLS server name (SNI): ${sni || "none sent"}` })]);
  });

  it("decides a hostname with the same CAs as the TLS server name, the chain validated for the SNI's trust store", async () => {
    const r = await run(TWIN);
    expect(r).toMatchObject({ access_decision: "service_auth", sni: TWIN, application: { name: "SNI A" } });
    expect(r.certificate.valid).toBe(true);
  });

  it("refuses a TLS server name that is not a hostname, as a field error on sni", async () => {
    const r = await testClientCertificate({ url: `https://${A}/`, certificate: pki.johnPem, sni: "not a host" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.fieldErrors?.sni?.[0]).toMatch(/^TLS server name: /);
  });
});
