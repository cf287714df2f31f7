import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { parseCrl, verifyCrlAgainstChain } from "../../lib/pki/crl-info";
import { validateClientCertificate } from "../../lib/pki/validate";
import { createValidator } from "../../lib/pki/validator";
import { bytes, fx, pem } from "./fixtures";

const CHAIN = () => [pem("int", "root")];
const BIN = join(fileURLToPath(new URL("../..", import.meta.url)), "bin", "portcullis.mjs");
const run = promisify(execFile);

describe("validateClientCertificate", () => {
  it("accepts the seed client and explains every step", async () => {
    const r = await validateClientCertificate({ leaf: pem("seed/client.pem"), trustAnchors: [pem("seed/ca-chain.pem")] });
    expect(r.ok).toBe(true);
    expect(r.errors).toEqual([]);
    expect(r.leaf?.subjectCN).toBe("John Doe");
    expect(r.path.map((c) => c.subjectCN)).toEqual(["John Doe", "Portcullis Test Intermediate CA", "Portcullis Test Root CA"]);
    const ids = r.steps.map((s) => s.id);
    for (const id of ["parse", "build", "signature:0", "signature:1", "validity:0", "validity:2", "ca:1", "purpose:0", "critical:0", "names"]) expect(ids).toContain(id);
    expect(r.steps.every((s) => s.ok)).toBe(true);
  });

  it("accepts a PEM with the leaf followed by the client's intermediates, and DER", async () => {
    expect((await validateClientCertificate({ leaf: pem("leaf", "int"), trustAnchors: [pem("root")] })).ok).toBe(true);
    const der = bytes("root.der");
    expect((await validateClientCertificate({ leaf: pem("leaf-root"), trustAnchors: [der] })).ok).toBe(true);
  });

  it("reports OpenSSL codes, depths and names", async () => {
    const r = await validateClientCertificate({ leaf: pem("leaf-expired"), trustAnchors: CHAIN() });
    expect(r.ok).toBe(false);
    expect(r.errors[0]).toMatchObject({ code: "certificate_has_expired", depth: 0, message: "certificate has expired", openssl: "X509_V_ERR_CERT_HAS_EXPIRED", number: 10 });
    expect(r.errors[0].detail).toContain("Certificate #1 (CN=Expired Device)");
    expect(r.steps.find((s) => s.id === "validity:0")?.ok).toBe(false);
  });

  it("treats validity bounds as inclusive", async () => {
    const leaf = pem("leaf-root");
    const anchors = [pem("root")];
    const probe = await validateClientCertificate({ leaf, trustAnchors: anchors });
    const notAfter = new Date(probe.path[0].notAfter);
    const notBefore = new Date(probe.path[0].notBefore);
    expect((await validateClientCertificate({ leaf, trustAnchors: anchors, at: notAfter })).ok).toBe(true);
    expect((await validateClientCertificate({ leaf, trustAnchors: anchors, at: notBefore })).errors.map((e) => e.code)).not.toContain("certificate_not_yet_valid");
    const later = await validateClientCertificate({ leaf, trustAnchors: anchors, at: new Date(notAfter.getTime() + 1000) });
    expect(later.errors.map((e) => e.code)).toContain("certificate_has_expired");
  });

  it("checks revocation of every certificate when CRLs are supplied", async () => {
    const crls = [pem("int.crl.pem"), pem("root.crl.pem")];
    expect((await validateClientCertificate({ leaf: pem("leaf"), trustAnchors: CHAIN(), crls })).ok).toBe(true);
    const rev = await validateClientCertificate({ leaf: pem("leaf-revoked"), trustAnchors: CHAIN(), crls });
    expect(rev.errors.map((e) => [e.code, e.depth])).toEqual([["certificate_revoked", 0]]);
    const missing = await validateClientCertificate({ leaf: pem("leaf"), trustAnchors: CHAIN(), crls: [pem("int.crl.pem")] });
    expect(missing.errors.map((e) => [e.code, e.depth])).toEqual([["unable_to_get_crl", 1], ["unable_to_get_crl", 2]]);
    // A CRL signed by the wrong key (same issuer name) fails its signature check.
    const forged = await validateClientCertificate({ leaf: pem("leaf-root"), trustAnchors: [pem("root")], crls: [pem("int.crl.pem"), pem("root.crl.pem").replace(/.{8}\n-----END/, "AAAAAAAA\n-----END")] });
    expect(forged.errors.map((e) => e.code)).toContain("crl_signature_failure");
  });

  it("purpose any skips the EKU checks", async () => {
    const strict = await validateClientCertificate({ leaf: pem("leaf-server-eku"), trustAnchors: CHAIN() });
    expect(strict.errors.map((e) => e.code)).toEqual(["invalid_purpose"]);
    expect((await validateClientCertificate({ leaf: pem("leaf-server-eku"), trustAnchors: CHAIN(), purpose: "any" })).ok).toBe(true);
  });

  it("returns an error for unreadable input", async () => {
    const r = await validateClientCertificate({ leaf: "garbage", trustAnchors: CHAIN() });
    expect(r.ok).toBe(false);
    expect(r.leaf).toBeNull();
    expect(r.errors[0].code).toBe("unspecified");
  });
});

describe("createValidator", () => {
  it("memoises decisions but re-checks time on every call", async () => {
    const v = createValidator({ trustAnchors: CHAIN(), crls: [pem("int.crl.pem"), pem("root.crl.pem")] });
    const leaf = pem("leaf");
    const a = await v.validate(leaf);
    expect(a.ok).toBe(true);
    expect(v.cacheSize).toBe(1);
    const future = await v.validate(leaf, { at: new Date(Date.now() + 3 * 365 * 86_400_000) });
    expect(v.cacheSize).toBe(1);
    expect(future.errors.map((e) => e.code)).toEqual(expect.arrayContaining(["certificate_has_expired", "crl_has_expired"]));
    expect((await v.validate(leaf, { purpose: "any" })).ok).toBe(true);
    expect(v.cacheSize).toBe(2);
  });

  // Throughput is measured in bench/ (npm run bench); here: repeated cached calls stay correct.
  it("returns the same cached decision on repeated calls", async () => {
    const v = createValidator({ trustAnchors: CHAIN(), crls: [pem("int.crl.pem"), pem("root.crl.pem")] });
    const leaf = pem("leaf");
    for (let i = 0; i < 1000; i++) expect((await v.validate(leaf)).ok).toBe(true);
    expect(v.cacheSize).toBe(1);
  });
});

describe("CRLs for the UI", () => {
  it("parses a CRL and finds the CA of the chain that signed it", async () => {
    const info = await parseCrl(pem("int.crl.pem"), pem("int", "root"));
    expect(info.issuerCN).toBe("Acme Issuing CA");
    expect(info.signatureValid).toBe(true);
    expect(info.issuerIndex).toBe(0);
    expect(info.revoked).toHaveLength(1);
    expect(info.revoked[0].reason).toBe("keyCompromise");
    const der = await parseCrl(bytes("int.crl.der"));
    expect(der.revoked).toEqual(info.revoked);
    expect(der.signatureValid).toBeNull();
  });

  it("verifyCrlAgainstChain reports crl_not_from_chain", async () => {
    expect(await verifyCrlAgainstChain(pem("root.crl.pem"), pem("int", "root"))).toMatchObject({ ok: true, issuerIndex: 1, issuerCN: "Acme Root CA" });
    const other = await verifyCrlAgainstChain(pem("ec-root.crl.pem"), pem("int", "root"));
    expect(other).toMatchObject({ ok: false, issuerIndex: null });
    expect(other.error?.code).toBe("crl_not_from_chain");
  });
});

describe("portcullis verify (CLI)", () => {
  const cli = (args: string[]) =>
    run(process.execPath, [BIN, ...args]).then((r) => ({ code: 0, out: r.stdout, err: r.stderr }), (e) => ({ code: e.code as number, out: e.stdout as string, err: e.stderr as string }));

  it("prints OK / openssl-style errors with exit codes 0 / 2 / 1", async () => {
    const ok = await cli(["verify", "--ca", fx("seed/ca-chain.pem"), fx("seed/client.pem")]);
    expect(ok).toMatchObject({ code: 0, out: `${fx("seed/client.pem")}: OK\n` });
    const bad = await cli(["verify", "--ca", fx("int.pem"), "--ca", fx("root.pem"), fx("leaf-expired.pem")]);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe(`error certificate_has_expired at depth 0: certificate has expired\n${fx("leaf-expired.pem")}: verification failed\n`);
    const usage = await cli(["verify", fx("leaf.pem")]);
    expect(usage.code).toBe(1);
    expect(usage.err.trim().split("\n")).toHaveLength(1);
    expect((await cli(["verify", "--ca", fx("root.pem"), "--purpose", "server", fx("leaf.pem")])).code).toBe(1);
    expect((await cli(["verify", "--help"])).out).toContain("--untrusted FILE");
    expect((await cli(["nope"])).code).toBe(1);
  });
});
