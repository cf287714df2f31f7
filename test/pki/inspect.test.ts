import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { applyReorder, inspectChain } from "../../lib/pki/inspect";
import { inspectChainStrict } from "../../lib/pki/server";
import type { InspectResult } from "../../lib/pki/types";
import { CA_BUNDLE_PATH } from "../fixtures";
import { bytes, pem } from "./fixtures";

const codes = (r: InspectResult) => r.issues.map((i) => i.code);
const issue = (r: InspectResult, code: string) => r.issues.find((i) => i.code === code)!;

describe("inspectChain: valid bundles", () => {
  it("accepts the seed ca-chain.pem (intermediate first, root last)", async () => {
    const r = await inspectChain(pem("seed/ca-chain.pem"));
    expect(r.verdict).toBe("ok");
    expect(r.issues).toEqual([]);
    expect(r.links).toEqual([{ from: 0, to: 1, nameMatch: true, keyIdMatch: true, signatureValid: true, ok: true }]);
    expect(r.certificates.map((c) => c.subjectCN)).toEqual(["Portcullis Test Intermediate CA", "Portcullis Test Root CA"]);
    expect(r.reorder).toBeNull();
    expect(r.normalizedPem).toBe(pem("seed/intermediate.pem", "seed/rootCA.pem"));
  });

  it("accepts RSA and ECDSA chains, DER input and a three-level chain", async () => {
    expect((await inspectChain(pem("ec-int", "ec-root"))).verdict).toBe("ok");
    expect((await inspectChain(bytes("root.der"))).verdict).toBe("ok");
    const three = await inspectChain(pem("int2", "int", "root"));
    expect(three.verdict).toBe("ok");
    expect(three.links.map((l) => [l.from, l.to, l.ok])).toEqual([[0, 1, true], [1, 2, true]]);
  });

  it.each(["rsa-sha1", "rsa-sha256", "rsa-sha384", "rsa-sha512"])("allows %s", async (alg) => {
    const r = await inspectChain(pem(`alg-${alg}`, "root"));
    expect(r.verdict).toBe("ok");
  });
  it.each(["ec-sha1", "ec-sha256", "ec-sha384", "ec-sha512"])("allows %s", async (alg) => {
    expect((await inspectChain(pem(`alg-${alg}`, "ec-root"))).verdict).toBe("ok");
  });

  // Speed is measured in bench/ (npm run bench); this asserts behaviour only.
  it("accepts a bundle of many self-signed roots (ca-certificates.crt)", async () => {
    const bundle = readFileSync(CA_BUNDLE_PATH, "utf8");
    const now = new Date("2026-01-01T00:00:00Z");
    const r = await inspectChain(bundle, { now });
    expect(r.certificates.length).toBe(144);
    expect(r.certificates.every((c) => c.selfSigned)).toBe(true);
    // Old roots without a Subject Key Identifier or with a serial RFC 5280 does not allow: warnings for a root (a trust
    // anchor is not itself validated), never errors.
    const rootNotes = ["invalid_serial_number", "missing_subject_key_identifier"];
    expect(r.issues.filter((i) => rootNotes.includes(i.code)).every((i) => i.severity === "warning")).toBe(true);
    expect(codes(r).filter((c) => !["expired", "expires_soon", "basic_constraints_not_critical", ...rootNotes].includes(c))).toEqual([]);
    expect(r.reorder).toBeNull();
  });
});

describe("inspectChain: every check", () => {
  it("refuses signature algorithms outside the allow-list, by name", async () => {
    for (const [f, name] of [["alg-rsa-pss", "RSASSA-PSS"], ["alg-ed25519", "Ed25519"], ["alg-rsa-md5", "md5WithRSAEncryption"], ["alg-rsa-sha224", "sha224WithRSAEncryption"]]) {
      const r = await inspectChain(pem(f, "root"));
      expect(r.verdict).toBe("error");
      expect(issue(r, "signature_algorithm_not_allowed").message).toContain(name);
      expect(issue(r, "signature_algorithm_not_allowed").certificateIndex).toBe(0);
    }
  });

  it("refuses leaf, server and non-CA certificates with a message that says so", async () => {
    const leaf = await inspectChain(pem("leaf", "int", "root"));
    expect(issue(leaf, "not_ca").message).toMatch(/^Certificate #1 \(CN=John Doe\) is a leaf \(end-entity\) certificate/);
    const server = await inspectChain(pem("server", "int", "root"));
    expect(issue(server, "server_certificate").message).toContain("TLS server certificate");
    const nobc = await inspectChain(pem("int-no-bc", "root"));
    expect(codes(nobc)).toContain("no_basic_constraints");
    expect(codes(await inspectChain(pem("no-bc-root")))).toContain("no_basic_constraints");
    expect(codes(await inspectChain(pem("int-ca-false", "root")))).toContain("not_ca");
  });

  it("requires keyCertSign when Key Usage is present", async () => {
    const r = await inspectChain(pem("int-no-certsign", "root"));
    expect(issue(r, "key_usage_missing_keycertsign").message).toContain("Certificate #1 (CN=No CertSign CA)");
  });

  it("reports validity: expired (error), not yet valid and expiring soon (warnings)", async () => {
    const exp = await inspectChain(pem("int-expired", "root"));
    expect(issue(exp, "expired").severity).toBe("error");
    const fut = await inspectChain(pem("int-future", "root"));
    expect(fut.verdict).toBe("warning");
    expect(issue(fut, "not_yet_valid").severity).toBe("warning");
    const soon = await inspectChain(pem("int-soon", "root"));
    expect(issue(soon, "expires_soon").severity).toBe("warning");
    expect(soon.certificates[0].verdict).toBe("warning");
    // Inclusive bounds: valid exactly at notAfter, expired one second later.
    const at = new Date(exp.certificates[0].notAfter);
    expect(codes(await inspectChain(pem("int-expired", "root"), { now: at }))).not.toContain("expired");
    expect(codes(await inspectChain(pem("int-expired", "root"), { now: new Date(at.getTime() + 1000) }))).toContain("expired");
  });

  it("detects a reversed chain and proposes a valid order", async () => {
    const r = await inspectChain(pem("root", "int", "int2"));
    expect(codes(r)).toEqual(["wrong_order"]);
    expect(r.reorder).toEqual([2, 1, 0]);
    const fixed = await inspectChain(applyReorder(r));
    expect(fixed.verdict).toBe("ok");
    expect(fixed.certificates.map((c) => c.subjectCN)).toEqual(["Acme Sub CA", "Acme Issuing CA", "Acme Root CA"]);
  });

  it("reports an incomplete chain naming the orphan", async () => {
    const r = await inspectChain(pem("int"));
    expect(issue(r, "incomplete_chain").message).toBe(
      "incomplete chain: upload the root that issued Certificate #1 (CN=Acme Issuing CA) (issuer: CN=Acme Root CA,O=Acme,C=US).",
    );
  });

  it("detects a forged link (same names, different key)", async () => {
    const r = await inspectChain(pem("forged-int-noaki", "root"));
    // the fixture has no Authority Key Identifier on purpose, which RFC 5280 wants: a warning besides the forgery
    expect(codes(r)).toEqual(["missing_authority_key_identifier", "bad_signature"]);
    expect(r.links[0]).toMatchObject({ from: 0, to: 1, nameMatch: true, keyIdMatch: null, signatureValid: false, ok: false });
    const aki = await inspectChain(pem("forged-int-aki", "root"));
    expect(codes(aki)).toEqual(expect.arrayContaining(["key_id_mismatch", "bad_signature"]));
  });

  it("detects an issuer name mismatch when the key identifiers link two certificates", async () => {
    // root-renamed has the key (hence the SKI) of "Acme Root CA" under another name.
    const r = await inspectChain(pem("int", "root-renamed"));
    expect(codes(r)).toContain("issuer_mismatch");
    expect(r.links[0]).toMatchObject({ from: 0, to: 1, nameMatch: false, keyIdMatch: true, ok: false });
  });

  it("enforces path length constraints", async () => {
    const r = await inspectChain(pem("int-pl", "root-pl0"));
    expect(issue(r, "path_length_exceeded").message).toContain("Certificate #2 (CN=Pathlen0 Root) allows at most 0");
    expect((await inspectChain(pem("int-pl", "root-pl0").slice(0))).verdict).toBe("error");
  });

  it("drops duplicates with a notice", async () => {
    const r = await inspectChain(pem("int", "int", "root"));
    expect(r.certificates).toHaveLength(2);
    expect(issue(r, "duplicate").message).toContain("position 2");
    expect(r.normalizedPem).toBe(pem("int", "root"));
  });

  it("refuses private keys, CSRs and CRLs by name", async () => {
    const k = await inspectChain(pem("leaf.key"));
    expect(codes(k)).toEqual(["private_key"]);
    expect(k.certificates).toEqual([]);
    expect(codes(await inspectChain(pem("leaf.csr")))).toEqual(["csr"]);
    expect(codes(await inspectChain(pem("int.crl.pem")))).toEqual(["crl"]);
    const mixed = await inspectChain(pem("int") + pem("leaf.key") + pem("root"));
    expect(codes(mixed)).toEqual(["private_key"]);
    expect(mixed.certificates).toHaveLength(2);
  });

  it("reports malformed input precisely", async () => {
    expect(codes(await inspectChain(""))).toEqual(["empty_input"]);
    expect(codes(await inspectChain("garbage"))).toEqual(["no_certificates"]);
    expect(codes(await inspectChain("-----BEGIN CERTIFICATE-----\nMIIB\n"))).toEqual(["truncated_block"]);
    expect(codes(await inspectChain("-----BEGIN CERTIFICATE-----\n@@@@\n-----END CERTIFICATE-----"))).toEqual(["invalid_base64"]);
    expect(codes(await inspectChain("-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----"))).toEqual(["malformed_certificate"]);
    expect(codes(await inspectChain("x".repeat(2 * 1024 * 1024)))).toEqual(["input_too_large"]);
  });

  it("limits the number of certificates", async () => {
    const one = pem("root");
    const r = await inspectChain(Array.from({ length: 201 }, () => one).join(""));
    expect(codes(r)).toContain("too_many_certificates");
  });

  it("rejects unknown critical extensions", async () => {
    const r = await inspectChain(pem("leaf-critical-ext"));
    expect(codes(r)).toContain("unhandled_critical_extension");
  });
});

describe("inspectChainStrict (server)", () => {
  it("adds malformed_der for non-DER encodings that the lenient parser accepts", async () => {
    const der = bytes("root.der");
    // Re-encode the serial INTEGER with an illegal leading 0x00 padding byte.
    expect([der[1], der[5], der[8], der[13]]).toEqual([0x82, 0x82, 0xa0, 0x02]);
    const tbsSerialAt = 13;
    const len = der[tbsSerialAt + 1];
    const patched = new Uint8Array(der.length + 1);
    patched.set(der.subarray(0, tbsSerialAt));
    patched.set([0x02, len + 1, 0x00], tbsSerialAt);
    patched.set(der.subarray(tbsSerialAt + 2), tbsSerialAt + 3);
    // Fix the outer lengths (both are 2-byte long forms for this certificate).
    const fix = (at: number) => {
      const v = (patched[at] << 8) | patched[at + 1];
      patched[at] = (v + 1) >> 8;
      patched[at + 1] = (v + 1) & 0xff;
    };
    fix(2);
    fix(6);
    const lenient = await inspectChain(patched);
    expect(codes(lenient)).not.toContain("malformed_certificate");
    const strict = await inspectChainStrict(patched);
    expect(codes(strict)).toContain("malformed_der");
    expect(issue(strict, "malformed_der").message).toContain("Certificate #1 (CN=Acme Root CA)");
    expect((await inspectChainStrict(pem("int", "root"))).verdict).toBe("ok");
  });
});
