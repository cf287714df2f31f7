/**
 * What the managed CA's CRL lists, on the real database (PGlite and PostgreSQL): every revoked and pending-revocation
 * certificate of that CA and nothing else (not the active ones, not another CA's), oldest revocation first, with its
 * revocation date to the second; the pending ones marked revoked once the CRL is signed; the CRL number going up;
 * and OpenSSL accepting the CRL's signature and reading the same entries. Rows are inserted directly (hundreds of
 * them) so the list read from the database in one aggregate is checked against what was stored.
 */
import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { eq, inArray } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { clientCertificates, mtlsCertificates } from "@/lib/db/schema";
import { mutate } from "@/lib/domain/core/mutate";
import { ok } from "@/lib/domain/core/result";
import { createManagedCa, ensureManagedCa, regenerateCrl } from "@/lib/domain/managed-ca";
import { adminActor } from "../helpers/actors";

if (process.env.DATABASE_URL) process.env.PORTCULLIS_SECRET_KEY ??= randomBytes(32).toString("base64");

const T0 = Date.UTC(2026, 0, 1, 12, 0, 0);

function rows(caId: string, n: number, status: "active" | "revoked" | "pending_revocation", first: number) {
  return Array.from({ length: n }, (_, i) => {
    const k = first + i;
    // Dates out of insertion order, with milliseconds (the CRL keeps whole seconds); a pending one may have none yet.
    const at = status === "active" ? null : new Date(T0 + ((k * 7919) % 100_000) * 1000 + (k % 1000));
    return {
      managedCaId: caId, commonName: `d${k}`, serialNumber: (0x7a000000 + k).toString(16), certificatePem: "-", csrPem: "-", subject: {},
      validityDays: 30, issuedOn: new Date(T0), expiresOn: new Date(T0 + 30 * 86_400_000), fingerprintSha256: "-", ski: "-", signature: "ECDSAWithSHA256",
      status, revokedAt: at,
    };
  });
}

// Opening (and migrating) the database is set-up.
beforeAll(async () => {
  await getDb();
});

describe("the managed CA's CRL", () => {
  it("lists exactly the CA's revoked and pending certificates, oldest first, and marks the pending ones revoked", { timeout: 180_000 }, async () => {
    const db = await getDb();
    const other = await ensureManagedCa(db);
    const made = await createManagedCa(db, adminActor, {});
    if (!made.ok) throw new Error(made.error.message);
    const ca = made.value;
    const revoked = rows(ca.id, 400, "revoked", 0);
    const pending = rows(ca.id, 25, "pending_revocation", 400);
    await db.insert(clientCertificates).values([...revoked, ...pending, ...rows(ca.id, 50, "active", 500), ...rows(other.id, 30, "revoked", 600)]);

    const r = await mutate(adminActor, async (tx) => ok(await regenerateCrl(tx, ca.id)));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.revokedCount).toBe(425);

    const [row] = await db.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, ca.id));
    const crl = new x509.X509Crl(row.crlPem!);
    const want = [...revoked, ...pending].sort((a, b) => a.revokedAt!.getTime() - b.revokedAt!.getTime());
    const got = crl.entries.map((e) => ({ serial: e.serialNumber, at: e.revocationDate.getTime() }));
    expect(got.map((g) => g.at)).toEqual([...got.map((g) => g.at)].sort((a, b) => a - b));
    expect(new Map(got.map((g) => [g.serial, g.at]))).toEqual(new Map(want.map((w) => [w.serialNumber, Math.floor(w.revokedAt!.getTime() / 1000) * 1000])));
    expect(await crl.verify({ publicKey: await new x509.X509Certificate(row.certificatePem).publicKey.export() })).toBe(true);
    expect((row.crl as { revoked_count: number; revoked: { serialNumber: string }[] }).revoked_count).toBe(425);
    expect((row.crl as { revoked: { serialNumber: string }[] }).revoked).toHaveLength(425);

    const stillPending = await db.select({ id: clientCertificates.id }).from(clientCertificates).where(inArray(clientCertificates.status, ["pending_revocation"]));
    expect(stillPending).toEqual([]);

    // OpenSSL: the signature checks out against the CA and it reads 425 entries.
    const dir = mkdtempSync(path.join(os.tmpdir(), "managed-crl-"));
    writeFileSync(path.join(dir, "ca.pem"), row.certificatePem);
    writeFileSync(path.join(dir, "crl.pem"), row.crlPem!);
    const text = execFileSync("openssl", ["crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout", "-text"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    expect(text.match(/Serial Number:/g)).toHaveLength(425);
    expect(execFileSync("openssl", ["crl", "-in", "crl.pem", "-CAfile", "ca.pem", "-noout"], { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }) + "").toBe("");

    // The next CRL (no change) has the next number and the same entries.
    const again = await mutate(adminActor, async (tx) => ok(await regenerateCrl(tx, ca.id)));
    if (!again.ok) throw new Error(again.error.message);
    expect(again.value.crlNumber).toBe(r.value.crlNumber + 1);
    const [next] = await db.select({ pem: mtlsCertificates.crlPem }).from(mtlsCertificates).where(eq(mtlsCertificates.id, ca.id));
    expect(new x509.X509Crl(next.pem!).entries.map((e) => e.serialNumber)).toEqual(crl.entries.map((e) => e.serialNumber));
  });
});
