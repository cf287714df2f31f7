/**
 * The validator's memo and the gateway's per-request outcome cache never serve a stale verdict: the time checks
 * (certificate validity, CRL thisUpdate/nextUpdate) run at `at` on every call, a CRL reload (a new validator) is
 * seen at once, and different chains never share an entry.
 */
import { X509Certificate } from "node:crypto";
import type { TLSSocket } from "node:tls";
import { describe, expect, it } from "vitest";
import type { HostContext } from "../../lib/gateway/context";
import { checkCertificate, peerInfo } from "../../lib/gateway/decide";
import { parseCrl } from "../../lib/pki/crl-info";
import { createValidator, type Validator } from "../../lib/pki/validator";
import { pem } from "./fixtures";

const CHAIN = () => [pem("int", "root")];
const CRLS = () => [pem("int.crl.pem"), pem("root.crl.pem")];
const der = (name: string) => Buffer.from(pem(name).replace(/-----[^-]+-----|\s/g, ""), "base64");
const ms = (iso: string) => new Date(iso).getTime();
const codes = (errors: readonly { code: string }[]) => errors.map((e) => e.code);

/** A stand-in for a TLS socket whose peer presented `names` (leaf first), shaped like getPeerCertificate(true). */
function socketWith(...names: string[]): TLSSocket {
  type Node = { raw: Buffer; fingerprint256: string; issuerCertificate?: Node };
  const nodes: Node[] = names.map((n) => {
    const raw = der(n);
    return { raw, fingerprint256: new X509Certificate(raw).fingerprint256 };
  });
  nodes.forEach((n, i) => (n.issuerCertificate = nodes[i + 1] ?? n));
  return { getPeerCertificate: () => nodes[0] } as unknown as TLSSocket;
}

const host = (validator: Validator | null) => ({ hostname: "mtls.example.com", associated: true, validator }) as unknown as HostContext;

describe("Validator.check", () => {
  it("returns exactly the errors of validate(), with and without a cacheKey, at any time", async () => {
    const v = createValidator({ trustAnchors: CHAIN(), crls: CRLS() });
    const crl = await parseCrl(pem("int.crl.pem"));
    const now = Date.now();
    for (const name of ["leaf", "leaf-revoked", "leaf-expired", "leaf-future", "leaf-server-eku", "leaf-root", "leaf-int2", "leaf-under-revoked"]) {
      const leaf = der(name);
      const probe = await v.validate(leaf);
      const times = [now, ms(probe.path[0].notAfter), ms(probe.path[0].notAfter) + 1, ms(probe.path[0].notBefore) - 1, ms(crl.nextUpdate!) + 1, ms(crl.thisUpdate) - 1];
      for (const t of times) {
        const at = new Date(t);
        const full = await v.validate(leaf, { at });
        expect(codes((await v.check(leaf, { at })).errors), `${name} at ${at.toISOString()}`).toEqual(codes(full.errors));
        expect((await v.check(leaf, { at, cacheKey: name })).errors).toEqual(full.errors);
      }
    }
  });

  it("re-checks certificate validity at every call on a memoised decision", async () => {
    const v = createValidator({ trustAnchors: [pem("root")] });
    const leaf = der("leaf-root");
    const notAfter = ms((await v.validate(leaf)).path[0].notAfter);
    const notBefore = ms((await v.validate(leaf)).path[0].notBefore);
    const at = (t: number) => v.check(leaf, { at: new Date(t), cacheKey: "k" });
    expect((await at(notAfter)).errors).toEqual([]);
    expect(codes((await at(notAfter + 1)).errors)).toEqual(["certificate_has_expired"]);
    expect((await at(notAfter)).errors).toEqual([]);
    expect(codes((await at(notBefore - 1)).errors)).toEqual(["certificate_not_yet_valid"]);
    expect((await at(notBefore)).errors).toEqual([]);
    expect(v.cacheSize).toBe(2); // one byte-keyed entry (validate), one caller-keyed (check)
  });

  it("re-checks CRL freshness (nextUpdate, thisUpdate) at every call", async () => {
    const v = createValidator({ trustAnchors: CHAIN(), crls: CRLS() });
    const leaf = der("leaf");
    const crl = await parseCrl(pem("int.crl.pem"));
    const next = ms(crl.nextUpdate!);
    expect((await v.check(leaf, { cacheKey: "leaf" })).errors).toEqual([]);
    expect(codes((await v.check(leaf, { cacheKey: "leaf", at: new Date(next + 1) })).errors)).toContain("crl_has_expired");
    expect((await v.check(leaf, { cacheKey: "leaf", at: new Date(next) })).errors).toEqual([]);
    expect(codes((await v.check(leaf, { cacheKey: "leaf", at: new Date(ms(crl.thisUpdate) - 1) })).errors)).toContain("crl_not_yet_valid");
    // A CRL that is already stale fails now, memoised or not.
    const stale = createValidator({ trustAnchors: CHAIN(), crls: [pem("int-stale.crl.pem"), pem("root.crl.pem")] });
    for (let i = 0; i < 3; i++) expect(codes((await stale.check(leaf, { cacheKey: "leaf" })).errors)).toContain("crl_has_expired");
  });

  it("keeps caller keys, purposes and byte keys apart", async () => {
    const v = createValidator({ trustAnchors: CHAIN() });
    const good = der("leaf");
    const serverOnly = der("leaf-server-eku");
    expect(codes((await v.check(serverOnly, { cacheKey: "a" })).errors)).toEqual(["invalid_purpose"]);
    expect((await v.check(serverOnly, { cacheKey: "a", purpose: "any" })).errors).toEqual([]);
    expect((await v.check(good, { cacheKey: "b" })).errors).toEqual([]);
    // The byte-keyed memo is not consulted for caller keys and vice versa.
    expect(codes((await v.validate(serverOnly)).errors)).toEqual(["invalid_purpose"]);
    expect((await v.validate(good)).ok).toBe(true);
    expect(v.cacheSize).toBe(5);
  });

  it("stays correct when the memo is full and cleared", async () => {
    const v = createValidator({ trustAnchors: CHAIN(), crls: CRLS(), cacheLimit: 2 });
    const names = ["leaf", "leaf-revoked", "leaf-server-eku", "leaf"];
    const expected = [[], ["certificate_revoked"], ["invalid_purpose"], []];
    for (let round = 0; round < 3; round++)
      for (let i = 0; i < names.length; i++) {
        expect(codes((await v.check(der(names[i]), { cacheKey: names[i] })).errors)).toEqual(expected[i]);
        expect(codes((await v.validate(der(names[i]))).errors)).toEqual(expected[i]);
        expect(v.cacheSize).toBeLessThanOrEqual(2);
      }
  });

  it("does not memoise unreadable input under a wrong verdict", async () => {
    const v = createValidator({ trustAnchors: CHAIN() });
    expect(codes((await v.check(new Uint8Array([0x30, 0x03, 0x02, 0x01]), { cacheKey: "junk" })).errors)).toEqual(["unspecified"]);
    expect(codes((await v.check(new Uint8Array([0x30, 0x03, 0x02, 0x01]))).errors)).toEqual(["unspecified"]);
  });
});

describe("gateway checkCertificate cache", () => {
  it("reuses the outcome per connection chain but re-checks expiry at `at`", async () => {
    const ctx = host(createValidator({ trustAnchors: [pem("root")] }));
    const { chain } = peerInfo(socketWith("leaf-root", "root"));
    expect(chain).toHaveLength(2);
    const first = await checkCertificate(ctx, chain);
    expect(first.context).toEqual({ presented: true, valid: true, commonName: "Root Client" });
    expect(first.issuers.map((b) => b.equals(der("root")))).toEqual([true]);
    expect(await checkCertificate(ctx, chain)).toBe(first);
    const notAfter = ms((await ctx.validator!.validate(der("leaf-root"))).path[0].notAfter);
    const late = await checkCertificate(ctx, chain, new Date(notAfter + 1));
    expect(late.context).toMatchObject({ presented: true, valid: false, commonName: "Root Client", reason: "certificate has expired" });
    expect(late.issuers).toEqual([]);
    expect((await checkCertificate(ctx, chain, new Date(notAfter))).context.valid).toBe(true);
    expect((await checkCertificate(ctx, chain, new Date(notAfter + 60_000))).context.valid).toBe(false);
    expect(Object.isFrozen(first) && Object.isFrozen(first.context)).toBe(true);
  });

  it("sees a CRL reload (a new validator) at once for a connection it already decided", async () => {
    const chain = peerInfo(socketWith("leaf-revoked", "int", "root")).chain;
    const before = host(createValidator({ trustAnchors: CHAIN(), crls: [pem("root.crl.pem")] }));
    // No CRL from the issuing CA: not checked for revocation.
    expect((await checkCertificate(before, chain)).context.valid).toBe(true);
    const after = host(createValidator({ trustAnchors: CHAIN(), crls: CRLS() }));
    expect((await checkCertificate(after, chain)).context).toMatchObject({ valid: false, reason: "certificate revoked" });
    expect((await checkCertificate(before, chain)).context.valid).toBe(true);
  });

  it("honours the CRL nextUpdate per call", async () => {
    const ctx = host(createValidator({ trustAnchors: CHAIN(), crls: CRLS() }));
    const chain = peerInfo(socketWith("leaf", "int", "root")).chain;
    const next = ms((await parseCrl(pem("int.crl.pem"))).nextUpdate!);
    expect((await checkCertificate(ctx, chain)).context.valid).toBe(true);
    expect((await checkCertificate(ctx, chain, new Date(next + 1))).context).toMatchObject({ valid: false, reason: "CRL has expired" });
    expect((await checkCertificate(ctx, chain)).context.valid).toBe(true);
  });

  it("keeps different connections' chains apart", async () => {
    const ctx = host(createValidator({ trustAnchors: CHAIN(), crls: CRLS() }));
    const a = peerInfo(socketWith("leaf", "int", "root")).chain;
    const b = peerInfo(socketWith("leaf-revoked", "int", "root")).chain;
    const c = peerInfo(socketWith("leaf-server-eku", "int")).chain;
    for (let i = 0; i < 2; i++) {
      expect((await checkCertificate(ctx, a)).context).toMatchObject({ valid: true, commonName: "John Doe" });
      expect((await checkCertificate(ctx, b)).context).toMatchObject({ valid: false, commonName: "Revoked Device" });
      expect((await checkCertificate(ctx, c)).context).toMatchObject({ valid: false, commonName: "Server Only" });
    }
  });

  it("gives a client's connections one read-only chain, and other chains their own", async () => {
    // The way TLS sockets are read: getPeerX509Certificate(), an X509Certificate per certificate.
    // (a client's intermediates, then what the server completed: the last one's issuer is undefined)
    const x509Socket = (...names: string[]) => {
      type Node = { raw: Buffer; fingerprint256: string; issuerCertificate?: Node };
      const nodes: Node[] = names.map((n) => ({ raw: der(n), fingerprint256: new X509Certificate(der(n)).fingerprint256 }));
      nodes.forEach((n, i) => (n.issuerCertificate = nodes[i + 1]));
      return { getPeerX509Certificate: () => nodes[0] } as unknown as TLSSocket;
    };
    const first = peerInfo(x509Socket("leaf", "int", "root"));
    const second = peerInfo(x509Socket("leaf", "int", "root"));
    expect(second).not.toBe(first);
    expect(second.chain).toBe(first.chain);
    expect(first.chain.map((b, i) => b.equals(der(["leaf", "int", "root"][i])))).toEqual([true, true, true]);
    expect(Object.isFrozen(first.chain)).toBe(true);
    // The same certificates read the old way share it too; another leaf or a shorter chain does not.
    expect(peerInfo(socketWith("leaf", "int", "root")).chain).toBe(first.chain);
    const other = peerInfo(x509Socket("leaf-revoked", "int", "root")).chain;
    const shorter = peerInfo(x509Socket("leaf", "int")).chain;
    expect(other).not.toBe(first.chain);
    expect(shorter).not.toBe(first.chain);
    expect(shorter).toHaveLength(2);
    const ctx = host(createValidator({ trustAnchors: CHAIN(), crls: CRLS() }));
    expect((await checkCertificate(ctx, second.chain)).context).toMatchObject({ valid: true, commonName: "John Doe" });
    expect((await checkCertificate(ctx, other)).context).toMatchObject({ valid: false, commonName: "Revoked Device" });
  });

  it("derives the key from the bytes for a chain that peerInfo did not build", async () => {
    const ctx = host(createValidator({ trustAnchors: CHAIN(), crls: CRLS() }));
    const chain = [der("leaf"), der("int")];
    expect((await checkCertificate(ctx, chain)).context.valid).toBe(true);
    chain[0] = der("leaf-revoked");
    expect((await checkCertificate(ctx, chain)).context).toMatchObject({ valid: false, reason: "certificate revoked" });
    chain[0].fill(0); // the same Buffer, rewritten in place
    expect((await checkCertificate(ctx, chain)).context).toMatchObject({ valid: false, commonName: null });
  });

  it("still answers for no certificate and for a hostname without CAs", async () => {
    expect((await checkCertificate(host(null), [])).context).toEqual({ presented: false, valid: false });
    const none = await checkCertificate(host(null), [der("leaf")]);
    expect(none.context).toMatchObject({ presented: true, valid: false, commonName: "John Doe" });
  });
});
