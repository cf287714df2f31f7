import { beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents, mtlsCertificates } from "@/lib/db/schema";
import { createCertificate, getCertificate, PRIVATE_KEY_REFUSAL } from "@/lib/domain/certificates";
import { isCrlStale, removeCertificateCrl, setCertificateCrl, type StoredCrlSummary } from "@/lib/domain/crls";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";
import { generateTestPki, type TestPki } from "./test-mtls-pki";

let pki: TestPki;
let id = "";

const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
};

async function row() {
  const db = await getDb();
  const [r] = await db.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id));
  return r;
}

beforeAll(async () => {
  pki = generateTestPki({ rootCN: "CRL Root", intermediateCN: "CRL Intermediate" });
  id = must(await createCertificate(adminActor, { name: "CRL chain", certificate: pki.seed.chainPem, associated_hostnames: ["crl.example.com"] })).id;
});

describe("CRLs of mTLS certificates", () => {
  it("uploads a PEM CRL signed by the intermediate: summary, version bump, audit without the PEM", async () => {
    const before = (await row()).version;
    const r = await setCertificateCrl(adminActor, id, { crl: pki.crlRevokingJohn, version: before });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings).toBeUndefined();
    const crl = r.value.crl as StoredCrlSummary;
    expect(crl).toMatchObject({ issuerCN: "CRL Intermediate", revoked_count: 1, signedBy: { index: 0, subjectCN: "CRL Intermediate" } });
    expect(crl.issuer).toContain("CRL Intermediate");
    expect(crl.revoked[0].revocationDate).toMatch(/^\d{4}-/);
    expect(new Date(crl.nextUpdate!).getTime()).toBeGreaterThan(Date.now());
    expect(r.value.version).toBe(before + 1);
    const stored = await row();
    expect(stored.crlPem).toMatch(/^-----BEGIN X509 CRL-----\n/);
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.action, "mtls_certificate.crl_upload")));
    expect(events).toHaveLength(1);
    expect(JSON.stringify(events[0])).not.toContain("BEGIN X509 CRL");
    expect(events[0].after).toMatchObject({ name: "CRL chain", crl: { revoked_count: 1, signedBy: expect.stringContaining("CRL Intermediate") } });
  });

  it("the revoked serial matches John Doe's certificate serial", async () => {
    const { execFileSync } = await import("node:child_process");
    const serial = execFileSync("openssl", ["x509", "-in", pki.johnPath, "-noout", "-serial"], { encoding: "utf8" }).trim().split("=")[1];
    const crl = (await getCertificate(id))!.crl!;
    expect(crl.revoked[0].serialNumber.replace(/:/g, "").toUpperCase().replace(/^0+/, "")).toBe(serial.replace(/^0+/, ""));
  });

  it("replaces it with a DER CRL sent as base64 (file upload) and audits a replace", async () => {
    const r = await setCertificateCrl(adminActor, id, { crl: pki.crlRevokingJohnDer.toString("base64") });
    expect(r.ok).toBe(true);
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.action, "mtls_certificate.crl_replace")));
    expect(events).toHaveLength(1);
  });

  it("refuses a CRL from a foreign CA with a specific message, and changes nothing", async () => {
    const before = await row();
    const r = await setCertificateCrl(adminActor, id, { crl: pki.crlForeign });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("validation");
    expect(r.error.fieldErrors?.crl?.[0]).toMatch(/^This CRL was not issued by a CA of this certificate's chain\. The CRL was issued by ".*Foreign Root.*", which is not a certificate of this chain\.$/);
    const after = await row();
    expect([after.version, after.crlPem]).toEqual([before.version, before.crlPem]);
  });

  it("refuses certificates, junk, several CRLs and private keys by name", async () => {
    const cases: [string, RegExp][] = [
      [pki.johnPem, /This is a certificate, not a certificate revocation list/],
      ["garbage", /The CRL could not be read/],
      [pki.crlEmpty + pki.crlStale, /holds 2 CRLs/],
      [pki.seed.rootKeyPem, new RegExp(PRIVATE_KEY_REFUSAL.replace(/[.;]/g, "\\$&"))],
      ["", /CRL content is required/],
    ];
    for (const [crl, msg] of cases) {
      const r = await setCertificateCrl(adminActor, id, { crl });
      expect(!r.ok && r.error.fieldErrors?.crl?.[0]).toMatch(msg);
    }
  });

  it("accepts a stale CRL (past nextUpdate) with a warning", async () => {
    const r = await setCertificateCrl(adminActor, id, { crl: pki.crlStale });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.warnings?.[0]).toMatch(/^This CRL is out of date: its next update was due on \d{4}-\d\d-\d\d\. .*"CRL has expired"/);
    expect(isCrlStale(r.value.crl)).toBe(true);
  });

  it("stale versions, viewers and read tokens are refused", async () => {
    const r = await setCertificateCrl(adminActor, id, { crl: pki.crlEmpty, version: 1 });
    expect(!r.ok && r.error.kind).toBe("stale");
    for (const actor of [viewerActor, readTokenActor]) {
      const v = await setCertificateCrl(actor, id, { crl: pki.crlEmpty });
      expect(!v.ok && v.error.message).toBe(READ_ONLY_MESSAGE);
      const d = await removeCertificateCrl(actor, id);
      expect(!d.ok && d.error.message).toBe(READ_ONLY_MESSAGE);
    }
    const missing = await setCertificateCrl(adminActor, "00000000-0000-4000-8000-000000000000", { crl: pki.crlEmpty });
    expect(!missing.ok && missing.error.kind).toBe("not_found");
  });

  it("removes the CRL (version bump, audited); removing again says there is none", async () => {
    const v = (await row()).version;
    const r = await removeCertificateCrl(adminActor, id, { version: v });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.crl).toBeNull();
    expect(r.value.version).toBe(v + 1);
    expect((await row()).crlPem).toBeNull();
    const again = await removeCertificateCrl(adminActor, id);
    expect(!again.ok && again.error.message).toBe("This certificate has no CRL to remove.");
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(and(eq(auditEvents.resourceId, id), eq(auditEvents.action, "mtls_certificate.crl_remove")));
    expect(events).toHaveLength(1);
  });
});
