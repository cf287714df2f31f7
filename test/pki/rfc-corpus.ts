/**
 * The RFC 5280 path-processing corpus (issue #17 §1): self-issued key rollover, CRLs signed by another key of the
 * same CA, serial encodings, CRL scope (distribution points, user/CA-only, reasons, indirect, delta), bounded
 * name-constraint work and strict structure. Hand-made DER (./der-build) so every corner can be produced; generated
 * once per version of this file into a temp dir (renamed into place atomically) and read by differential.test.ts.
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cert, CRL_EXT, crl, dirName, dns, E, ext, newKey, name, OIDS, otherName, pem, tlv, utf8, type CrlEntry, type Key } from "./der-build";

const here = fileURLToPath(new URL(".", import.meta.url));
const version = createHash("sha256").update(readFileSync(join(here, "rfc-corpus.ts"))).update(readFileSync(join(here, "der-build.ts"))).digest("hex").slice(0, 12);
export const RFC_DIR = join(tmpdir(), `portcullis-pki-rfc-${version}`);

const CA = (k: Key, signer: Key, extra: Buffer[] = [], pathLen?: number) => [E.bc(true, pathLen), E.ku(5, 6), E.ski(k), E.aki(signer), ...extra];
const LEAF = (k: Key, signer: Key, extra: Buffer[] = []) => [E.bc(false), E.ku(0), E.eku(OIDS.clientAuth), E.ski(k), E.aki(signer), ...extra];

function generate(dir: string): void {
  const out = (file: string, body: string) => writeFileSync(join(dir, file), body);
  const c = (file: string, der: Buffer) => out(`${file}.pem`, pem(der));
  const l = (file: string, der: Buffer) => out(`${file}.crl.pem`, pem(der, "X509 CRL"));
  const root = (file: string, n: Buffer, k: Key, extra: Buffer[] = [], pathLen?: number) => {
    const der = cert({ serial: 1, issuer: n, subject: n, key: k, signer: k, exts: [E.bc(true, pathLen), E.ku(5, 6), E.ski(k), ...extra] });
    c(file, der);
    return der;
  };
  const emptyCrl = (file: string, issuer: Buffer, signer: Key, exts: Buffer[] = [], entries: CrlEntry[] = []) =>
    l(file, crl({ issuer, signer, entries, exts: [CRL_EXT.aki(signer), CRL_EXT.number(1), ...exts] }));

  // Key rollover: one CA name, an old and a new key, and the two link certificates (RFC 4210 §4.4).
  const RN = name([OIDS.o, "Acme"], [OIDS.cn, "Rollover Root"]);
  const kOld = newKey();
  const kNew = newKey();
  root("roll-old", RN, kOld);
  root("roll-new", RN, kNew);
  c("roll-new-with-old", cert({ serial: 10, issuer: RN, subject: RN, key: kNew, signer: kOld, exts: CA(kNew, kOld) }));
  c("roll-old-with-new", cert({ serial: 11, issuer: RN, subject: RN, key: kOld, signer: kNew, exts: CA(kOld, kNew) }));
  const leafN = (file: string, serial: number, k: Key) => c(file, cert({ serial, issuer: RN, subject: name([OIDS.cn, file]), key: newKey(), signer: k, exts: LEAF(newKey(), k) }));
  leafN("roll-leaf-new", 20, kNew);
  leafN("roll-leaf-old", 21, kOld);
  leafN("roll-leaf-new-revoked", 22, kNew);
  emptyCrl("roll-old", RN, kOld);
  emptyCrl("roll-new", RN, kNew, [], [{ serial: 22 }]);

  // Self-issued intermediates and pathLenConstraint / name constraints (§6.1.4 (l), §6.1.3 (b)).
  const PN = name([OIDS.o, "Allowed"], [OIDS.cn, "Pathlen Root"]);
  const kP1 = newKey();
  const kP2 = newKey();
  root("pl0-root", PN, kP1, [E.nc([dirName(name([OIDS.o, "Allowed"]))])], 0);
  c("pl0-self-issued", cert({ serial: 2, issuer: PN, subject: PN, key: kP2, signer: kP1, exts: CA(kP2, kP1) }));
  c("pl0-leaf", cert({ serial: 3, issuer: PN, subject: name([OIDS.o, "Allowed"], [OIDS.cn, "Deep"]), key: newKey(), signer: kP2, exts: LEAF(newKey(), kP2) }));
  const kP3 = newKey();
  const IN = name([OIDS.o, "Allowed"], [OIDS.cn, "Pathlen Sub"]);
  c("pl0-sub", cert({ serial: 4, issuer: PN, subject: IN, key: kP3, signer: kP2, exts: CA(kP3, kP2) }));
  c("pl0-sub-leaf", cert({ serial: 5, issuer: IN, subject: name([OIDS.o, "Allowed"], [OIDS.cn, "Deeper"]), key: newKey(), signer: kP3, exts: LEAF(newKey(), kP3) }));
  const SN = name([OIDS.o, "Elsewhere"], [OIDS.cn, "NC Root"]);
  const kS1 = newKey();
  const kS2 = newKey();
  root("nc-si-root", SN, kS1, [E.nc([dirName(name([OIDS.o, "Allowed"]))])]);
  // The self-issued link's own subject is outside the permitted subtree: it is not checked (§6.1.4 (b) skips it).
  c("nc-si-link", cert({ serial: 2, issuer: SN, subject: SN, key: kS2, signer: kS1, exts: CA(kS2, kS1) }));
  c("nc-si-leaf", cert({ serial: 3, issuer: SN, subject: name([OIDS.o, "Allowed"], [OIDS.cn, "Member"]), key: newKey(), signer: kS2, exts: LEAF(newKey(), kS2) }));
  emptyCrl("pl0-root", PN, kP1);
  emptyCrl("pl0-self-issued", PN, kP2);

  // Separate certificate and CRL keys (§6.3.3 (f)): the CRL of "Split CA" is signed by its CRL-signing key.
  const TN = name([OIDS.cn, "Split Root"]);
  const CN = name([OIDS.o, "Acme"], [OIDS.cn, "Split CA"]);
  const kT = newKey();
  const kC = newKey();
  const kCrl = newKey();
  const kCrlRevoked = newKey();
  root("split-root", TN, kT);
  c("split-ca", cert({ serial: 2, issuer: TN, subject: CN, key: kC, signer: kT, exts: [E.bc(true), E.ku(5), E.ski(kC), E.aki(kT)] }));
  c("split-crl-signer", cert({ serial: 3, issuer: TN, subject: CN, key: kCrl, signer: kT, exts: [E.bc(false), E.ku(6), E.ski(kCrl), E.aki(kT)] }));
  c("split-crl-signer-revoked", cert({ serial: 4, issuer: TN, subject: CN, key: kCrlRevoked, signer: kT, exts: [E.bc(false), E.ku(6), E.ski(kCrlRevoked), E.aki(kT)] }));
  const kFakeRoot = newKey();
  const kFake = newKey();
  c("split-fake-signer", cert({ serial: 5, issuer: name([OIDS.cn, "Other Root"]), subject: CN, key: kFake, signer: kFakeRoot, exts: [E.bc(false), E.ku(6), E.ski(kFake), E.aki(kFakeRoot)] }));
  const splitLeaf = (file: string, serial: number) => c(file, cert({ serial, issuer: CN, subject: name([OIDS.cn, file]), key: newKey(), signer: kC, exts: LEAF(newKey(), kC) }));
  splitLeaf("split-leaf", 30);
  splitLeaf("split-leaf-revoked", 31);
  emptyCrl("split-root", TN, kT, [], [{ serial: 4 }]);
  emptyCrl("split-ca", CN, kCrl, [], [{ serial: 31 }]);
  emptyCrl("split-ca-by-revoked-key", CN, kCrlRevoked);
  emptyCrl("split-ca-by-fake", CN, kFake);

  // Serial numbers compared as encoded: a CRL revoking -1 (0xFF) must not revoke 255 (0x00FF).
  const QN = name([OIDS.cn, "Serial Root"]);
  const kQ = newKey();
  root("serial-root", QN, kQ);
  const serialLeaf = (file: string, serial: Uint8Array) => c(file, cert({ serial, issuer: QN, subject: name([OIDS.cn, file]), key: newKey(), signer: kQ, exts: LEAF(newKey(), kQ) }));
  serialLeaf("serial-255", Buffer.from([0x00, 0xff]));
  serialLeaf("serial-minus-1", Buffer.from([0xff]));
  serialLeaf("serial-zero", Buffer.from([0x00]));
  serialLeaf("serial-21-octets", Buffer.from(Array.from({ length: 21 }, (_, i) => i + 1)));
  emptyCrl("serial-root", QN, kQ, [], [{ serial: Buffer.from([0xff]) }]);

  // CRL scope: distribution points, onlyContainsUser/CACerts, onlySomeReasons, indirect CRLs, delta CRLs.
  const DN = name([OIDS.cn, "Scope Root"]);
  const kD = newKey();
  root("scope-root", DN, kD);
  const scopeLeaf = (file: string, serial: number, extra: Buffer[], issuer = DN, k = kD) =>
    c(file, cert({ serial, issuer, subject: name([OIDS.cn, file]), key: newKey(), signer: k, exts: LEAF(newKey(), k, extra) }));
  const A = "http://crl.example.test/a.crl";
  const B = "http://crl.example.test/b.crl";
  scopeLeaf("scope-leaf-a", 40, [E.crldp({ uris: [A] })]);
  scopeLeaf("scope-leaf-b", 41, [E.crldp({ uris: [B] })]);
  scopeLeaf("scope-leaf", 42, []);
  emptyCrl("scope-a", DN, kD, [CRL_EXT.idp({ uris: [A] })], [{ serial: 40 }, { serial: 41 }]);
  emptyCrl("scope-ca-only", DN, kD, [CRL_EXT.idp({ onlyCA: true })]);
  emptyCrl("scope-full", DN, kD);
  emptyCrl("scope-user-only", DN, kD, [CRL_EXT.idp({ onlyUser: true })], [{ serial: 42 }]);
  emptyCrl("scope-key-compromise", DN, kD, [CRL_EXT.idp({ reasons: [1, 2] })]);
  emptyCrl("scope-other-reasons", DN, kD, [CRL_EXT.idp({ reasons: [3, 4, 5, 6, 7, 8] })]);
  emptyCrl("scope-unknown-critical", DN, kD, [ext("1.2.3.4.5", true, tlv(0x05))]);
  l("scope-delta", crl({ issuer: DN, signer: kD, exts: [CRL_EXT.aki(kD), CRL_EXT.number(2), CRL_EXT.delta(1)], entries: [{ serial: 42 }] }));
  // Indirect: "Ind CRL Issuer" (a cRLSign certificate of the root) publishes the CRL for the root's leaves.
  const XN = name([OIDS.cn, "Ind CRL Issuer"]);
  const kX = newKey();
  c("ind-crl-issuer", cert({ serial: 50, issuer: DN, subject: XN, key: kX, signer: kD, exts: [E.bc(false), E.ku(6), E.ski(kX), E.aki(kD)] }));
  const indDp = E.crldp({ uris: [B], crlIssuer: [dirName(XN)] });
  scopeLeaf("ind-leaf", 51, [indDp]);
  scopeLeaf("ind-leaf-revoked", 52, [indDp]);
  scopeLeaf("ind-leaf-other-issuer", 53, [indDp]);
  const other = name([OIDS.cn, "Somebody Else"]);
  l("ind", crl({ issuer: XN, signer: kX, exts: [CRL_EXT.aki(kX), CRL_EXT.number(1), CRL_EXT.idp({ uris: [B], indirect: true })],
    entries: [{ serial: 52, certIssuer: DN }, { serial: 53, certIssuer: other }] }));

  // Bounded work: 1030 names × 1030 subtrees is over OpenSSL's 2^20 comparisons.
  const WN = name([OIDS.cn, "Explosion CA"]);
  const kW = newKey();
  const many = (prefix: string) => Array.from({ length: 1030 }, (_, i) => dns(`${prefix}${i}.example.test`));
  c("nc-explosion-int", cert({ serial: 60, issuer: QN, subject: WN, key: kW, signer: kQ, exts: CA(kW, kQ, [E.nc(many("p"))]) }));
  c("nc-explosion-int-forged", cert({ serial: 61, issuer: QN, subject: WN, key: kW, signer: newKey(), exts: CA(kW, kQ, [E.nc(many("p"))]) }));
  c("nc-explosion-leaf", cert({ serial: 62, issuer: WN, subject: name([OIDS.cn, "Many Names"]), key: newKey(), signer: kW, exts: LEAF(newKey(), kW, [E.san(...many("n"))]) }));

  // Strict structure.
  const strictLeaf = (file: string, exts: Buffer[]) => c(file, cert({ serial: 70 + file.length, issuer: QN, subject: name([OIDS.cn, file]), key: newKey(), signer: kQ, exts }));
  const kL = newKey();
  strictLeaf("dup-ku", [E.bc(false), E.ku(0), E.ku(0, 2), E.eku(OIDS.clientAuth), E.ski(kL), E.aki(kQ)]);
  strictLeaf("empty-eku", [E.bc(false), E.ku(0), E.eku(), E.ski(kL), E.aki(kQ)]);
  strictLeaf("leaf-keycertsign", [E.bc(false), E.ku(0, 5), E.eku(OIDS.clientAuth), E.ski(kL), E.aki(kQ)]);
  strictLeaf("no-aki", [E.bc(false), E.ku(0), E.eku(OIDS.clientAuth), E.ski(kL)]);
  const ON = name([OIDS.cn, "OtherName CA"]);
  const kO = newKey();
  c("othername-int", cert({ serial: 80, issuer: QN, subject: ON, key: kO, signer: kQ, exts: CA(kO, kQ, [E.nc([otherName("1.2.3.4", utf8("allowed"))])]) }));
  c("othername-int-dns", cert({ serial: 81, issuer: QN, subject: ON, key: kO, signer: kQ, exts: CA(kO, kQ, [E.nc([dns("example.test")])]) }));
  c("othername-leaf", cert({ serial: 82, issuer: ON, subject: name([OIDS.cn, "Other"]), key: newKey(), signer: kO, exts: LEAF(newKey(), kO, [E.san(otherName("1.2.3.4", utf8("allowed")))]) }));
}

/** Generate the corpus once (concurrent test files share it) and return its directory. */
export function rfcCorpus(): string {
  if (existsSync(join(RFC_DIR, ".done"))) return RFC_DIR;
  const tmp = `${RFC_DIR}.${process.pid}.${Date.now()}`;
  mkdirSync(tmp, { recursive: true });
  generate(tmp);
  writeFileSync(join(tmp, ".done"), "");
  try {
    renameSync(tmp, RFC_DIR);
  } catch {
    rmSync(tmp, { recursive: true, force: true });
  }
  return RFC_DIR;
}

export const rx = (file: string) => join(RFC_DIR, file);
