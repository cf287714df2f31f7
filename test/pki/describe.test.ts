import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { inspectChain } from "../../lib/pki/inspect";
import { fx, pem } from "./fixtures";
import { OPENSSL } from "./openssl";

const fingerprint = (file: string, alg: string) =>
  execFileSync(OPENSSL, ["x509", "-in", fx(file), "-noout", "-fingerprint", `-${alg}`], { encoding: "utf8" }).trim().split("=")[1];

async function summary(name: string) {
  return (await inspectChain(pem(name))).certificates[0];
}

describe("describeCertificate", () => {
  it("summarises the seed root like openssl does", async () => {
    const s = await summary("seed/rootCA.pem");
    expect(s.subject).toBe("CN=Portcullis Test Root CA,O=Portcullis Test,C=US");
    expect(s.subjectCN).toBe("Portcullis Test Root CA");
    expect(s.issuerCN).toBe("Portcullis Test Root CA");
    expect(s.publicKey).toEqual({ algorithm: "RSA", size: 4096, description: "RSA 4096 bits" });
    expect(s.signatureAlgorithm).toEqual({ oid: "1.2.840.113549.1.1.11", name: "sha256WithRSAEncryption", allowed: true });
    expect(s.basicConstraints).toEqual({ ca: true, pathLength: null, critical: true });
    expect(s.selfSigned).toBe(true);
    expect(s.sha256Fingerprint).toBe(fingerprint("seed/rootCA.pem", "sha256"));
    expect(s.sha1Fingerprint).toBe(fingerprint("seed/rootCA.pem", "sha1"));
    expect(s.md5Fingerprint).toBe(fingerprint("seed/rootCA.pem", "md5"));
    const serial = execFileSync(OPENSSL, ["x509", "-in", fx("seed/rootCA.pem"), "-noout", "-serial"], { encoding: "utf8" }).trim().split("=")[1];
    // Compare as numbers: openssl may print a leading zero nibble, the summary shows whole bytes.
    const strip = (hex: string) => hex.replace(/:/g, "").replace(/^0+(?=.)/, "").toUpperCase();
    expect(strip(s.serialNumber)).toBe(strip(serial));
    expect(s.serialNumber).toMatch(/^[0-9A-F]{2}(:[0-9A-F]{2})*$/);
  });

  it("describes extensions of an issuing CA and a client certificate", async () => {
    const int = await summary("int");
    expect(int.keyUsage).toEqual(["keyCertSign", "cRLSign"]);
    expect(int.subjectKeyIdentifier).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    const root = await summary("root");
    expect(int.authorityKeyIdentifier).toBe(root.subjectKeyIdentifier);
    expect(int.selfSigned).toBe(false);
    const leaf = await summary("leaf");
    expect(leaf.extendedKeyUsage).toEqual(["clientAuth"]);
    expect(leaf.basicConstraints).toEqual({ ca: false, pathLength: null, critical: false });
    const nc = await summary("leaf-nc-ok");
    expect(nc.subjectAltNames).toEqual(["DNS:host.example.com", "email:bob@corp.example.com"]);
    const any = await summary("leaf-any-eku");
    expect(any.extendedKeyUsage).toEqual(["anyExtendedKeyUsage"]);
  });

  it("describes EC keys and algorithm names", async () => {
    expect((await summary("ec-root")).publicKey).toEqual({ algorithm: "EC", curve: "P-256", size: 256, description: "EC P-256" });
    expect((await summary("ec-int")).publicKey.description).toBe("EC P-384");
    expect((await summary("ec-int")).signatureAlgorithm.name).toBe("ecdsa-with-SHA384");
    expect((await summary("alg-ec-sha256")).signatureAlgorithm.name).toBe("ecdsa-with-SHA256");
    expect((await summary("ec-leaf")).signatureAlgorithm.name).toBe("ecdsa-with-SHA384");
    expect((await summary("alg-ed25519")).publicKey.algorithm).toBe("Ed25519");
    expect((await summary("alg-rsa-pss")).signatureAlgorithm).toMatchObject({ name: "RSASSA-PSS", allowed: false });
    expect((await summary("alg-rsa-md5")).signatureAlgorithm).toMatchObject({ name: "md5WithRSAEncryption", allowed: false });
    expect((await summary("alg-rsa-sha224")).signatureAlgorithm).toMatchObject({ name: "sha224WithRSAEncryption", allowed: false });
  });

  it("displays non-ASCII and HTML subjects verbatim (escaping is the UI's job)", async () => {
    const u = await summary("utf8-root");
    expect(u.subjectCN).toBe("Zürich Ω CA");
    expect(u.subject).toBe("O=Société Générale,CN=Zürich Ω CA");
    const h = await summary("html-root");
    expect(h.subjectCN).toBe("<script>alert(1)</script>");
  });

  it("gives the Cloudflare-style fingerprint and expires_on", async () => {
    const r = await inspectChain(pem("int", "root"));
    expect(r.fingerprint).toBe(`MD5 Fingerprint=${fingerprint("int.pem", "md5")}`);
    const notAfter = [r.certificates[0].notAfter, r.certificates[1].notAfter].sort()[0];
    expect(r.expiresOn).toBe(notAfter);
  });
});
