/**
 * Finding 10 of issue #12: a large CRL is parsed once per distinct content and shared by every trust store built
 * from it (Test mTLS, the gateway's validators, the nginx export), within bounds.
 */
import { execFileSync } from "node:child_process";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadCrls } from "../../lib/pki/crl";
import { clearCrlCache, configureCrlCache, crlCacheStats, DEFAULT_CRL_CACHE_LIMITS } from "../../lib/pki/crl-cache";
import { parseCrl } from "../../lib/pki/crl-info";
import { createValidator } from "../../lib/pki/validator";
import { bytes, fx, pem } from "./fixtures";
import { generateLargeCrl } from "./large-crl";

/** The same text in a new string object, as a database read returns it. */
const fresh = (s: string) => Buffer.from(s, "utf8").toString("utf8");
const parses = () => crlCacheStats().parses;

let large = "";
let largeRevokingLeaf = "";

beforeAll(() => {
  // The fixture "leaf" (John Doe, issued by int) is revoked by the second large CRL only.
  const revokedSerial = /serial=([0-9A-F]+)/i.exec(execFileSync("openssl", ["x509", "-in", fx("leaf.pem"), "-noout", "-serial"], { encoding: "utf8" }))![1];
  large = generateLargeCrl({ caCert: fx("int.pem"), caKey: fx("int.key"), count: 60_000 });
  largeRevokingLeaf = generateLargeCrl({ caCert: fx("int.pem"), caKey: fx("int.key"), count: 60_000, revoke: [revokedSerial] });
});

afterEach(() => {
  configureCrlCache(DEFAULT_CRL_CACHE_LIMITS);
  clearCrlCache();
});

describe("CRL parse cache", () => {
  it("parses a 60,000-entry CRL once, however often and from whatever string object it is loaded", () => {
    clearCrlCache();
    const p0 = parses();
    const first = loadCrls(large);
    expect(first.crls[0].revoked.size).toBe(60_000);
    expect(parses()).toBe(p0 + 1);
    for (let i = 0; i < 5; i++) {
      const again = loadCrls(fresh(large));
      expect(again.crls[0]).toBe(first.crls[0]);
    }
    expect(parses()).toBe(p0 + 1);
    expect(crlCacheStats()).toMatchObject({ entries: 1, revoked: 60_000 });
  });

  it("shares one parse between validators, the CRL summary and the export, and still finds revoked serials", async () => {
    clearCrlCache();
    const p0 = parses();
    const chain = [pem("int", "root")];
    for (let i = 0; i < 3; i++) {
      const v = createValidator({ trustAnchors: chain, crls: [fresh(largeRevokingLeaf), pem("root.crl.pem")] });
      const r = await v.validate(pem("leaf"));
      expect(r.errors.map((e) => e.code)).toEqual(["certificate_revoked"]);
    }
    const info = await parseCrl(fresh(largeRevokingLeaf), pem("int", "root"));
    expect(info.revoked).toHaveLength(60_001);
    expect(info.signatureValid).toBe(true);
    // One parse of the large CRL and one of the root's CRL, for all of the above.
    expect(parses()).toBe(p0 + 2);
  });

  it("a changed CRL is a new parse: the new content is used at once", async () => {
    clearCrlCache();
    const chain = [pem("int", "root")];
    const before = await createValidator({ trustAnchors: chain, crls: [large, pem("root.crl.pem")] }).validate(pem("leaf"));
    expect(before.ok).toBe(true);
    const p0 = parses();
    const after = await createValidator({ trustAnchors: chain, crls: [largeRevokingLeaf, pem("root.crl.pem")] }).validate(pem("leaf"));
    expect(after.errors.map((e) => e.code)).toEqual(["certificate_revoked"]);
    expect(parses()).toBe(p0 + 1);
  });

  it("hands out frozen CRLs and fresh arrays, so no caller can change what others get", () => {
    clearCrlCache();
    const a = loadCrls(pem("int.crl.pem"));
    expect(Object.isFrozen(a.crls[0])).toBe(true);
    a.crls.length = 0;
    a.errors.push("changed by a caller");
    const b = loadCrls(pem("int.crl.pem"));
    expect(b.crls).toHaveLength(1);
    expect(b.errors).toEqual([]);
  });

  it("caches DER and PEM input separately and never confuses text with bytes", () => {
    clearCrlCache();
    const p0 = parses();
    const fromDer = loadCrls(bytes("int.crl.der"));
    const fromPem = loadCrls(pem("int.crl.pem"));
    expect(fromDer.crls[0].der).toEqual(fromPem.crls[0].der);
    loadCrls(bytes("int.crl.der"));
    loadCrls(pem("int.crl.pem"));
    expect(parses()).toBe(p0 + 2);
    // Unreadable input is cached with its error, and still reports it.
    expect(loadCrls("not a CRL").errors[0]).toMatch(/No CRL found/);
    expect(loadCrls("not a CRL").errors[0]).toMatch(/No CRL found/);
    expect(parses()).toBe(p0 + 3);
  });

  it("stays within its bounds: least recently used out first, an oversized CRL is parsed but not kept", () => {
    clearCrlCache();
    configureCrlCache({ maxRevoked: 70_000 });
    const p0 = parses();
    loadCrls(large);
    loadCrls(largeRevokingLeaf); // 120,001 entries in total: `large` is evicted
    expect(crlCacheStats()).toMatchObject({ entries: 1, revoked: 60_001 });
    loadCrls(largeRevokingLeaf);
    expect(parses()).toBe(p0 + 2);
    loadCrls(large);
    expect(parses()).toBe(p0 + 3);
    configureCrlCache({ maxRevoked: 1_000 });
    expect(crlCacheStats()).toMatchObject({ entries: 0, revoked: 0 });
    loadCrls(large);
    loadCrls(large);
    expect(parses()).toBe(p0 + 5);
    configureCrlCache({ maxRevoked: DEFAULT_CRL_CACHE_LIMITS.maxRevoked, maxInputSize: large.length - 1 });
    loadCrls(large);
    expect(crlCacheStats().entries).toBe(0);
  });
});
