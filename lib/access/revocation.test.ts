/**
 * The revocation plan says which CAs the gateway checks for revocation, over real certificates and CRLs (OpenSSL):
 * a CA is checked exactly when validating a chain through it shows a revocation step that is not "Not checked"
 * (lib/access `applyCrlRule`, the missing-CRL rule), and the serials it lists are the ones that refuse a certificate.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parseCertificates } from "../pki/path";
import { generateTestPki, type TestPki } from "../../test/integration/test-mtls-pki";
import { Pki } from "../../test/pki/openssl";
import { compileHost } from "./compile";
import { explainAccess } from "./explain";
import { revocationPlan } from "./revocation";

let pki: TestPki;
beforeAll(() => {
  pki = generateTestPki({ rootCN: "Plan Root", intermediateCN: "Plan Intermediate" });
}, 120_000);

const serialOf = (pem: string) => parseCertificates([pem]).certs[0].serialHex;
const byCn = (plan: Awaited<ReturnType<typeof revocationPlan>>, cn: string) => plan.cas.find((c) => c.subjectCN === cn)!;

/** What the gateway's validation says about the leaf's revocation: not checked, checked and fine, or refused. */
async function gatewaySays(crls: string[]): Promise<"not checked" | "checked" | "revoked" | "refused"> {
  const host = compileHost({ hostname: "plan.example.com", cas: [pki.seed.chainPem], crls, forwarding: false, apps: [] });
  const { validation } = await explainAccess({ host, key: "/", path: "/", chain: pki.johnWithIntermediate, at: new Date() });
  const step = validation!.steps.find((s) => s.id === "revocation:0");
  if (!step || step.detail.startsWith("Not checked")) return "not checked";
  if (validation!.errors.some((e) => e.code === "certificate_revoked")) return "revoked";
  return validation!.ok ? "checked" : "refused";
}

describe("revocationPlan", () => {
  it("checks the CA whose CRL is stored and lists what it revoked; a CA without a stored CRL is not checked", async () => {
    const plan = await revocationPlan([pki.seed.chainPem], [pki.crlRevokingJohn]);
    expect(plan.cas.map((c) => c.subjectCN).sort()).toEqual(["Plan Intermediate", "Plan Root"]);
    expect(byCn(plan, "Plan Intermediate")).toMatchObject({ checked: true, hasCrl: true, revokedSerials: [serialOf(pki.johnPem)] });
    expect(byCn(plan, "Plan Intermediate").nextUpdate).toMatch(/^\d{4}-/);
    expect(byCn(plan, "Plan Root")).toMatchObject({ checked: false, hasCrl: false, revokedSerials: [], nextUpdate: null });
    expect(plan).toMatchObject({ everyCaHasCrl: false, any: true });
  });

  it("checks nothing without stored CRLs, and a CRL from a CA outside the trust store checks nothing", async () => {
    for (const crls of [[], [pki.crlForeign]]) {
      const plan = await revocationPlan([pki.seed.chainPem], crls);
      expect(plan.cas.every((c) => !c.checked && !c.hasCrl)).toBe(true);
      expect(plan).toMatchObject({ everyCaHasCrl: false, any: false });
    }
  });

  it("says every CA has a CRL only when each CA of the trust store has one (nginx's ssl_crl needs that)", async () => {
    expect((await revocationPlan([pki.seed.chainPem], [pki.crlRevokingJohn, pki.crlForeign])).everyCaHasCrl).toBe(false);
    const p = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-plan-")));
    const root = p.root("solo", { subj: "/CN=Plan Solo Root" });
    const plan = await revocationPlan([readFileSync(root.cert, "utf8")], [readFileSync(p.crl(root, "solo"), "utf8")]);
    expect(plan).toMatchObject({ everyCaHasCrl: true, any: true, cas: [{ subjectCN: "Plan Solo Root", checked: true, revokedSerials: [] }] });
  });

  it.each([
    ["no CRL", () => [], false, "not checked"],
    ["a foreign CA's CRL", () => [pki.crlForeign], false, "not checked"],
    ["an empty CRL", () => [pki.crlEmpty], true, "checked"],
    ["a CRL revoking the leaf", () => [pki.crlRevokingJohn], true, "revoked"],
    ["a CRL past its next update", () => [pki.crlStale], true, "refused"],
  ] as const)("agrees with the gateway's validation with %s", async (_label, crls, checked, gateway) => {
    const plan = await revocationPlan([pki.seed.chainPem], crls());
    const intermediate = byCn(plan, "Plan Intermediate");
    expect(intermediate.checked).toBe(checked);
    expect(intermediate.revokedSerials.includes(serialOf(pki.johnPem))).toBe(gateway === "revoked");
    expect(await gatewaySays([...crls()])).toBe(gateway);
  });
});
