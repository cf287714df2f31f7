/**
 * The managed CA and the client certificates it issues, on the real database (PGlite and PostgreSQL) with real
 * OpenSSL: CSRs made by openssl, `openssl verify -crl_check` against the CRL the CA publishes before and after a
 * revocation and a reactivation, the PKCS#12 backup read by `openssl pkcs12`, and the key never stored in clear.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { deleteCertificate, MANAGED_CA_DELETE_REFUSAL } from "@/lib/domain/certificates";
import { auditEvents, managedCas, mtlsCertificates } from "@/lib/db/schema";
import {
  getClientCertificate,
  issueClientCertificate,
  listClientCertificates,
  reactivateClientCertificate,
  revokeClientCertificate,
} from "@/lib/domain/client-certificates";
import { createManagedCa, ensureManagedCa, exportManagedCaPkcs12, importManagedCaPkcs12, listManagedCas, maintainManagedCas, retireManagedCa } from "@/lib/domain/managed-ca";
import { adminActor, viewerActor } from "../helpers/actors";

// PostgreSQL seals secrets with the key from the environment only (PGlite makes its own in the data directory).
if (process.env.DATABASE_URL) process.env.PORTCULLIS_SECRET_KEY ??= randomBytes(32).toString("base64");
const dir = mkdtempSync(path.join(os.tmpdir(), "managed-ca-"));
const openssl = (args: string[], input?: string) => execFileSync("openssl", args, { cwd: dir, encoding: "utf8", input, stdio: ["pipe", "pipe", "pipe"] });
/** Exit status and everything openssl printed (stdout and stderr). */
const opensslResult = (args: string[]) => {
  const r = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
};

function csr(name: string, keyArgs: string[], subj: string): string {
  openssl(["req", "-new", ...keyArgs, "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", subj]);
  return readFileSync(path.join(dir, `${name}.csr`), "utf8");
}

let rsaCsr = "";
let ecCsr = "";
beforeAll(async () => {
  // Opening (and migrating) the database is set-up, not part of what the first test measures.
  await getDb();
  rsaCsr = csr("rsa", ["-newkey", "rsa:2048"], "/C=GB/O=Example Ltd/CN=device-rsa");
  ecCsr = csr("ec", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"], "/CN=device-ec");
});

/** Writes the CA certificate and its current CRL (as stored for the gateway) and runs openssl verify -crl_check. */
async function verifyWithCrl(certPem: string, caId: string) {
  const db = await getDb();
  const [ca] = await db.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, caId));
  writeFileSync(path.join(dir, "ca.pem"), ca.certificatePem);
  writeFileSync(path.join(dir, "crl.pem"), ca.crlPem ?? "");
  writeFileSync(path.join(dir, "leaf.pem"), certPem);
  return opensslResult(["verify", "-crl_check", "-CAfile", "ca.pem", "-CRLfile", "crl.pem", "-purpose", "sslclient", "leaf.pem"]);
}

describe("managed CA", () => {
  it("is created on first use: ECDSA P-256, managed row with its CRL, audited", async () => {
    const db = await getDb();
    const ca = await ensureManagedCa(db);
    expect(ca).toMatchObject({ keyType: "ecdsa-p256", current: true, retiredAt: null, issuedCount: 0 });
    expect(ca.commonName).toMatch(/ Managed CA [0-9a-f]{8}$/);
    expect((await ensureManagedCa(db)).id).toBe(ca.id);
    const [row] = await db.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, ca.id));
    expect(row.managed).toBe(true);
    expect(row.crlPem).toMatch(/^-----BEGIN X509 CRL-----/);
    const text = openssl(["x509", "-noout", "-text"], row.certificatePem);
    expect(text).toContain("CA:TRUE");
    expect(text).toContain("Certificate Sign, CRL Sign");
    expect(text).toContain("prime256v1");
    const events = await db.select().from(auditEvents).where(eq(auditEvents.resourceId, ca.id));
    expect(events.map((e) => e.action)).toEqual(["managed_ca.create"]);
    // Not deletable from the Mutual TLS page: that would destroy its key and every certificate it issued.
    const del = await deleteCertificate(adminActor, ca.id);
    expect(del.ok ? "" : del.error).toMatchObject({ kind: "conflict", message: MANAGED_CA_DELETE_REFUSAL });
    expect((await listManagedCas(db)).map((c) => c.id)).toEqual([ca.id]);
  });

  it("keeps the key sealed: not in the database nor the data directory in clear, never in the view or audit", async () => {
    const db = await getDb();
    const [ca] = await db.select().from(managedCas);
    expect(ca.sealedKey).toMatch(/^v1:[0-9a-f]{8}:/);
    const view = JSON.stringify(await listManagedCas(db));
    expect(view).not.toContain(ca.sealedKey);
    expect(view).not.toMatch(/PRIVATE KEY/);
    const audit = JSON.stringify(await db.select().from(auditEvents));
    expect(audit).not.toContain(ca.sealedKey.slice(12, 40));
    const dataDir = process.env.PORTCULLIS_DATA_DIR;
    if (dataDir) {
      // The PKCS#8 body of the key, as the export shows it, must appear nowhere in the data directory's files.
      const p12 = await exportManagedCaPkcs12(db, adminActor, ca.id, "backup-password");
      if (!p12.ok) throw new Error(p12.error.message);
      writeFileSync(path.join(dir, "backup.p12"), p12.value);
      const keyPem = openssl(["pkcs12", "-in", "backup.p12", "-nocerts", "-nodes", "-passin", "pass:backup-password"]);
      const der = Buffer.from(openssl(["pkey", "-outform", "DER"], keyPem.slice(keyPem.indexOf("-----BEGIN"))), "latin1");
      const keyDer = execFileSync("openssl", ["pkey", "-outform", "DER"], { input: keyPem.slice(keyPem.indexOf("-----BEGIN")) });
      expect(der.length).toBeGreaterThan(0);
      const secret = keyDer.subarray(keyDer.length - 40);
      const walk = (d: string): string[] => readdirSync(d).flatMap((f) => (statSync(path.join(d, f)).isDirectory() ? walk(path.join(d, f)) : [path.join(d, f)]));
      for (const file of walk(dataDir)) expect(readFileSync(file).includes(secret), file).toBe(false);
      expect(statSync(path.join(dataDir, "secret.key")).mode & 0o777).toBe(0o600);
    }
  });
});

describe("client certificates", () => {
  let id = "";
  let caId = "";
  it("issues from an openssl CSR: clientAuth leaf with the CRL distribution point, verified by openssl", async () => {
    const db = await getDb();
    const r = await issueClientCertificate(db, adminActor, { csrPem: rsaCsr, validityDays: 365, label: "Kiosk 12" });
    if (!r.ok) throw new Error(r.error.message);
    const v = r.value;
    id = v.id;
    caId = v.managedCaId;
    expect(v).toMatchObject({ label: "Kiosk 12", commonName: "device-rsa", status: "active", validityDays: 365, revokedAt: null, signature: "ECDSAWithSHA256" });
    expect(v.subject).toMatchObject({ country: "GB", organization: "Example Ltd" });
    expect(new Date(v.expiresOn).getTime() - new Date(v.issuedOn).getTime()).toBe(365 * 86_400_000);
    const text = openssl(["x509", "-noout", "-text"], v.certificatePem);
    expect(text).toContain("TLS Web Client Authentication");
    expect(text).toContain(`/cdn-cgi/pki/crl/${caId}.crl`);
    expect(openssl(["x509", "-noout", "-serial"], v.certificatePem).trim().toLowerCase()).toBe(`serial=${v.serialNumber}`);
    expect(openssl(["x509", "-noout", "-fingerprint", "-sha256"], v.certificatePem).replace(/:/g, "").toLowerCase()).toContain(v.fingerprintSha256);
    // The certificate matches the CSR's key.
    expect(openssl(["x509", "-noout", "-pubkey"], v.certificatePem)).toBe(openssl(["req", "-noout", "-pubkey", "-in", "rsa.csr"]));
    const check = await verifyWithCrl(v.certificatePem, caId);
    expect(check.out).toContain("leaf.pem: OK");
  });

  it("openssl agrees with the published CRL after Revoke, and again after Reactivate", async () => {
    const db = await getDb();
    const revoked = await revokeClientCertificate(db, adminActor, id, "Lost device");
    if (!revoked.ok) throw new Error(revoked.error.message);
    expect(revoked.value).toMatchObject({ status: "revoked", revocationReason: "Lost device" });
    const after = await verifyWithCrl(revoked.value.certificatePem, caId);
    expect(after.ok).toBe(false);
    expect(after.out).toMatch(/certificate revoked/);
    const again = await revokeClientCertificate(db, adminActor, id, "twice");
    expect(again.ok ? "" : again.error.message).toBe("This client certificate is already revoked.");
    const back = await reactivateClientCertificate(db, adminActor, id);
    if (!back.ok) throw new Error(back.error.message);
    expect(back.value).toMatchObject({ status: "active", revokedAt: null, revocationReason: null });
    expect((await verifyWithCrl(back.value.certificatePem, caId)).out).toContain("leaf.pem: OK");
    const actions = (await db.select().from(auditEvents).where(eq(auditEvents.resourceId, id))).map((e) => e.action).sort();
    expect(actions).toEqual(["client_certificate.create", "client_certificate.reactivate", "client_certificate.revoke"]);
  });

  it("refuses bad CSRs, keys, validity and ids with specific messages", async () => {
    const db = await getDb();
    const msg = async (input: unknown) => {
      const r = await issueClientCertificate(db, adminActor, input);
      return r.ok ? "issued" : r.error.message;
    };
    expect(await msg({ csrPem: "hello" })).toMatch(/^This is not a certificate signing request \(CSR\)/);
    const cert = (await getClientCertificate(db, id))!.certificatePem;
    expect(await msg({ csrPem: cert })).toMatch(/^This is a certificate, not a certificate signing request/);
    expect(await msg({ csrPem: readFileSync(path.join(dir, "rsa.key"), "utf8") })).toMatch(/^This is a private key/);
    // Flip one byte of the signature: the CSR still parses, its signature does not verify.
    const der = Buffer.from(rsaCsr.replace(/-----[^-]+-----|\s/g, ""), "base64");
    der[der.length - 5] ^= 0xff;
    expect(await msg({ csrPem: `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString("base64")}\n-----END CERTIFICATE REQUEST-----` })).toMatch(/signature does not verify/);
    const small = csr("small", ["-newkey", "rsa:1024"], "/CN=small");
    expect(await msg({ csrPem: small })).toMatch(/RSA key has 1024 bits, which is not allowed/);
    const ed = csr("ed", ["-newkey", "ed25519"], "/CN=ed");
    expect(await msg({ csrPem: ed })).toMatch(/key type \(ED25519\) is not allowed/);
    const k1 = csr("k1", ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:secp256k1"], "/CN=k1");
    expect(await msg({ csrPem: k1 })).toMatch(/uses secp256k1, which is not allowed/);
    expect(await msg({ csrPem: ecCsr, validityDays: 0 })).toMatch(/^Validity must be a whole number of days from 1 to 5475/);
    expect(await msg({ csrPem: ecCsr, validityDays: 5476 })).toMatch(/^Validity must be/);
    expect(await msg({ csrPem: ecCsr, validityDays: "ten" })).toMatch(/^Validity must be/);
    const gone = await revokeClientCertificate(db, adminActor, "00000000-0000-4000-8000-000000000000");
    expect(gone.ok ? "" : gone.error).toMatchObject({ kind: "not_found", message: "That client certificate does not exist." });
    expect((await revokeClientCertificate(db, adminActor, "not-a-uuid")).ok).toBe(false);
    const viewer = await issueClientCertificate(db, viewerActor, { csrPem: ecCsr });
    expect(viewer.ok ? "" : viewer.error.kind).toBe("forbidden");
  });

  it("lists with status, search and pages; default validity is 10 years", async () => {
    const db = await getDb();
    const ec = await issueClientCertificate(db, adminActor, { csrPem: ecCsr, label: "Sensor" });
    if (!ec.ok) throw new Error(ec.error.message);
    expect(ec.value.validityDays).toBe(3650);
    await revokeClientCertificate(db, adminActor, ec.value.id, "retired sensor");
    const all = await listClientCertificates(db, { page: 1, perPage: 1 });
    expect(all.total).toBe(2);
    expect(all.items).toHaveLength(1);
    expect((await listClientCertificates(db, { status: "revoked" })).items.map((i) => i.label)).toEqual(["Sensor"]);
    expect((await listClientCertificates(db, { search: "kiosk" })).items.map((i) => i.commonName)).toEqual(["device-rsa"]);
    const serial = ec.value.serialNumber.toUpperCase().match(/../g)!.join(":");
    expect((await listClientCertificates(db, { search: serial })).items.map((i) => i.id)).toEqual([ec.value.id]);
  });
});

describe("rotation and backup", () => {
  it.runIf(!!process.env.DATABASE_URL)("PostgreSQL without PORTCULLIS_SECRET_KEY: a new CA is refused with the sentence naming it", async () => {
    const key = process.env.PORTCULLIS_SECRET_KEY;
    delete process.env.PORTCULLIS_SECRET_KEY;
    try {
      const r = await createManagedCa(await getDb(), adminActor, {});
      expect(r.ok ? "" : r.error).toMatchObject({ kind: "unavailable", message: expect.stringMatching(/^PORTCULLIS_SECRET_KEY is not set\. With PostgreSQL/) });
    } finally {
      process.env.PORTCULLIS_SECRET_KEY = key;
    }
  });

  it("a new CA issues from now on, the old one stays trusted until retired; export → import round trip", async () => {
    const db = await getDb();
    const old = await ensureManagedCa(db);
    const fresh = await createManagedCa(db, adminActor, { keyType: "rsa-2048" });
    if (!fresh.ok) throw new Error(fresh.error.message);
    expect(fresh.value).toMatchObject({ keyType: "rsa-2048", current: true });
    const issued = await issueClientCertificate(db, adminActor, { csrPem: ecCsr });
    if (!issued.ok) throw new Error(issued.error.message);
    expect(issued.value.managedCaId).toBe(fresh.value.id);
    expect(issued.value.signature).toBe("SHA256WithRSA");
    // The RSA CA's CRL (sha256WithRSAEncryption) is read by openssl before and after a revocation too.
    expect((await verifyWithCrl(issued.value.certificatePem, fresh.value.id)).out).toContain("leaf.pem: OK");
    expect((await revokeClientCertificate(db, adminActor, issued.value.id, "test")).ok).toBe(true);
    expect((await verifyWithCrl(issued.value.certificatePem, fresh.value.id)).out).toMatch(/certificate revoked/);
    expect((await createManagedCa(db, adminActor, { keyType: "dsa" })).ok).toBe(false);

    const p12 = await exportManagedCaPkcs12(db, adminActor, old.id, "correct horse");
    if (!p12.ok) throw new Error(p12.error.message);
    writeFileSync(path.join(dir, "old.p12"), p12.value);
    const info = opensslResult(["pkcs12", "-info", "-in", "old.p12", "-passin", "pass:correct horse", "-nodes"]);
    expect(info.out).toMatch(/PBES2, PBKDF2, AES-256-CBC/);
    expect(info.out).toMatch(/MAC: sha256/);
    expect((await exportManagedCaPkcs12(db, adminActor, old.id, "short")).ok).toBe(false);

    const retired = await retireManagedCa(db, adminActor, old.id);
    if (!retired.ok) throw new Error(retired.error.message);
    expect(retired.value.retiredAt).not.toBeNull();
    const dup = await importManagedCaPkcs12(db, adminActor, p12.value, "correct horse");
    expect(dup.ok ? "" : dup.error.message).toBe("This CA is already on this installation.");
    const wrong = await importManagedCaPkcs12(db, adminActor, p12.value, "wrong horse");
    expect(wrong.ok ? "" : wrong.error.message).toBe("The password is wrong, or the PKCS#12 file is damaged.");
    // A PKCS#12 written by openssl itself (its defaults) imports as a new managed CA.
    openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "other.key", "-out", "other.pem", "-days", "3650", "-subj", "/CN=Other installation CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    openssl(["pkcs12", "-export", "-inkey", "other.key", "-in", "other.pem", "-out", "other.p12", "-passout", "pass:another-secret"]);
    const imported = await importManagedCaPkcs12(db, adminActor, new Uint8Array(readFileSync(path.join(dir, "other.p12"))), "another-secret");
    if (!imported.ok) throw new Error(imported.error.message);
    expect(imported.value).toMatchObject({ commonName: "Other installation CA", current: true, keyType: "ecdsa-p256" });
    const next = await issueClientCertificate(db, adminActor, { csrPem: ecCsr, validityDays: 365 });
    if (!next.ok) throw new Error(next.error.message);
    writeFileSync(path.join(dir, "leaf2.pem"), next.value.certificatePem);
    expect(opensslResult(["verify", "-CAfile", "other.pem", "leaf2.pem"]).out).toContain("leaf2.pem: OK");
  });

  it("the daily job re-signs a CRL older than a day and retires a replaced CA with no valid certificate left", async () => {
    const db = await getDb();
    const before = await listManagedCas(db);
    const current = before.find((c) => c.current)!;
    // The RSA CA was replaced by the import and its only certificate is revoked; the first CA is retired already.
    const replaced = before.filter((c) => !c.current && !c.retiredAt);
    expect(replaced.map((c) => c.keyType)).toEqual(["rsa-2048"]);
    expect(await maintainManagedCas(db, new Date(Date.now() + 3_600_000))).toEqual({ reissued: 0, retired: 1 });
    const later = new Date(Date.now() + 25 * 3_600_000);
    expect(await maintainManagedCas(db, later)).toEqual({ reissued: 1, retired: 0 });
    const after = (await listManagedCas(db)).find((c) => c.id === current.id)!;
    expect(after.crl.number).toBe(current.crl.number + 1);
    expect(after.crl.thisUpdate).toBe(later.toISOString());
    expect(new Date(after.crl.nextUpdate!).getTime() - later.getTime()).toBe(7 * 86_400_000);
    expect((await listManagedCas(db)).find((c) => c.id === replaced[0].id)?.retiredAt).not.toBeNull();
  });
});
