/**
 * Client certificates issued by the managed CA from a CSR: issue, list, read, revoke and reactivate. Revoking
 * records the revocation (status pending_revocation) in one transaction and then re-signs the CA's CRL, which marks
 * it revoked; a CRL that could not be signed (say, the secret key is missing) leaves it pending, and the next CRL
 * (another revocation, or the daily job) completes it. The gateway sees every new CRL within a second.
 */
import "reflect-metadata";
import * as x509 from "@peculiar/x509";
import { and, count, desc, eq, ilike, inArray, or, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Db } from "../../db/client";
import { clientCertificates, mtlsCertificates } from "../../db/schema";
import type { Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { isUuid, type ChainMemberSummary } from "../certificates/queries";
import { currentIssuer, ensureManagedCa, regenerateCrl } from "../managed-ca";
import { randomSerial, signingAlgorithm, signingKeyFor, withCaKey, type CaKeyType } from "../managed-ca/keys";
import { crlUrls } from "../managed-ca/view";
import { checkCsr } from "./csr";
import {
  CLIENT_CERTIFICATE_STATUSES,
  DEFAULT_VALIDITY_DAYS,
  MAX_LABEL_LENGTH,
  MAX_REASON_LENGTH,
  MAX_VALIDITY_DAYS,
  MIN_VALIDITY_DAYS,
  toClientCertificateView,
  type ClientCertificateStatus,
  type ClientCertificateView,
} from "./view";

export * from "./view";
export { checkCsr, CSR_PRIVATE_KEY_REFUSAL } from "./csr";

const DAY = 86_400_000;
const GONE = "That client certificate does not exist.";
const validityMessage = `Validity must be a whole number of days from ${MIN_VALIDITY_DAYS} to ${MAX_VALIDITY_DAYS} (15 years).`;

const issueSchema = z.object({
  csrPem: z.unknown(),
  validityDays: z.coerce
    .number({ error: validityMessage })
    .int(validityMessage)
    .min(MIN_VALIDITY_DAYS, validityMessage)
    .max(MAX_VALIDITY_DAYS, validityMessage)
    .default(DEFAULT_VALIDITY_DAYS),
  label: z
    .string({ error: "Label must be text" })
    .trim()
    .max(MAX_LABEL_LENGTH, `Label must be at most ${MAX_LABEL_LENGTH} characters`)
    .default(""),
});
const reasonSchema = z
  .string({ error: "Reason must be text" })
  .trim()
  .max(MAX_REASON_LENGTH, `Reason must be at most ${MAX_REASON_LENGTH} characters`)
  .optional();

/** Cloudflare's `signature` names. */
const signatureName = (caKeyType: string) => (caKeyType === "ecdsa-p256" ? "ECDSAWithSHA256" : "SHA256WithRSA");

interface CaInfo {
  name: string;
  pem: string;
  subject: string;
}

/** The issuing CAs of `rows`, read in one query (names can change on the Mutual TLS page: never cached). */
async function views(db: Db, rows: (typeof clientCertificates.$inferSelect)[]): Promise<ClientCertificateView[]> {
  const ids = [...new Set(rows.map((r) => r.managedCaId))];
  const cas = ids.length
    ? await db.select({ id: mtlsCertificates.id, name: mtlsCertificates.name, pem: mtlsCertificates.certificatePem, chain: mtlsCertificates.chain }).from(mtlsCertificates).where(inArray(mtlsCertificates.id, ids))
    : [];
  const byId = new Map<string, CaInfo>(cas.map((c) => [c.id, { name: c.name, pem: c.pem, subject: (c.chain as ChainMemberSummary[])[0]?.subject ?? "" }]));
  return rows.map((r) => toClientCertificateView(r, byId.get(r.managedCaId) ?? { name: "", pem: "", subject: "" }));
}

/** Signs the CSR with the current managed CA (created on first use). Input `{ csrPem, validityDays?, label? }`. */
export const issueClientCertificate = (db: Db, actor: Actor, input: unknown): Promise<Result<ClientCertificateView>> => withCaKey(() => issue(db, actor, input));
async function issue(db: Db, actor: Actor, input: unknown): Promise<Result<ClientCertificateView>> {
  const parsed = issueSchema.safeParse(input ?? {});
  const fieldErrors = parsed.success ? {} : zodFieldErrors(parsed.error.issues);
  const csr = await checkCsr((input as { csrPem?: unknown } | null)?.csrPem);
  if (!csr.ok) Object.assign(fieldErrors, csr.error.fieldErrors);
  if (!parsed.success || !csr.ok) {
    const msgs = Object.values(fieldErrors).flat();
    return fail("validation", msgs.length === 1 ? msgs[0] : "Check the highlighted fields.", fieldErrors);
  }
  // The CA is made on first use only; after that one indexed read (no counts) per certificate.
  const ca = (await currentIssuer(db)) ?? (await ensureManagedCa(db), await currentIssuer(db));
  if (!ca) return fail("unavailable", "The managed CA could not be created. Try again.");
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const notAfter = new Date(now.getTime() + parsed.data.validityDays * DAY);
  if (notAfter > ca.expiresOn) {
    const m = `The managed CA expires on ${ca.expiresOn.toISOString().slice(0, 10)}; choose a shorter validity, or create a new managed CA.`;
    return fail("validation", m, { validityDays: [m] });
  }
  const caCert = new x509.X509Certificate(ca.certificatePem);
  const caSki = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const publicKey = csr.value.csr.publicKey;
  const serial = randomSerial();
  const usage = x509.KeyUsageFlags.digitalSignature | (csr.value.isRsa ? x509.KeyUsageFlags.keyEncipherment : 0);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial,
    subject: csr.value.csr.subjectName,
    issuer: caCert.subjectName,
    notBefore: now,
    notAfter,
    publicKey,
    signingKey: await signingKeyFor(ca.id, ca.sealedKey, ca.keyType as CaKeyType),
    signingAlgorithm: signingAlgorithm(ca.keyType as CaKeyType),
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(usage, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      ...(caSki ? [new x509.AuthorityKeyIdentifierExtension(caSki)] : []),
      new x509.CRLDistributionPointsExtension([crlUrls(ca.id).der]),
    ],
  });
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId ?? "";
  const fingerprint = Buffer.from(await cert.getThumbprint("SHA-256")).toString("hex");
  const r = await mutate(actor, async (tx, audit) => {
    const [row] = await tx
      .insert(clientCertificates)
      .values({
        managedCaId: ca.id,
        label: parsed.data.label,
        commonName: csr.value.commonName,
        serialNumber: serial,
        certificatePem: cert.toString("pem"),
        csrPem: csr.value.pem,
        subject: csr.value.subject,
        validityDays: parsed.data.validityDays,
        issuedOn: now,
        expiresOn: notAfter,
        fingerprintSha256: fingerprint,
        ski,
        signature: signatureName(ca.keyType),
      })
      .returning();
    await audit({
      action: "client_certificate.create",
      resourceType: "client_certificate",
      resourceId: row.id,
      after: { label: row.label, common_name: row.commonName, serial_number: serial, validity_days: row.validityDays, expires_on: notAfter, key: csr.value.keyDescription, managed_ca_id: ca.id },
    });
    return ok(row);
  });
  if (!r.ok) return r;
  return ok((await views(db, [r.value]))[0]);
}

export interface ClientCertificateQuery {
  status?: ClientCertificateStatus;
  /** Label, Common Name or serial number (substring, case-insensitive; a serial may have colons) */
  search?: string;
  page?: number;
  perPage?: number;
}

/** One page, newest first. Out-of-range paging is clamped (page ≥ 1, 1 ≤ perPage ≤ 1000). */
export async function listClientCertificates(db: Db, query: ClientCertificateQuery = {}): Promise<{ items: ClientCertificateView[]; total: number }> {
  const status = query.status && (CLIENT_CERTIFICATE_STATUSES as readonly string[]).includes(query.status) ? query.status : undefined;
  const search = query.search?.trim().slice(0, 200) || undefined;
  const page = Math.max(1, Math.floor(Number(query.page) || 1));
  const perPage = Math.min(1000, Math.max(1, Math.floor(Number(query.perPage) || 25)));
  const conds: SQL[] = [];
  if (status) conds.push(eq(clientCertificates.status, status));
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    const serial = search.replace(/[:\s]/g, "").toLowerCase().replace(/^0+/, "");
    conds.push(or(ilike(clientCertificates.label, like), ilike(clientCertificates.commonName, like), ...(serial ? [ilike(clientCertificates.serialNumber, `%${serial.replace(/[\\%_]/g, "")}%`)] : []))!);
  }
  const where = conds.length ? and(...conds) : undefined;
  const [{ n }] = await db.select({ n: count() }).from(clientCertificates).where(where);
  const rows = await db
    .select()
    .from(clientCertificates)
    .where(where)
    .orderBy(desc(clientCertificates.issuedOn), desc(clientCertificates.id))
    .limit(perPage)
    .offset((page - 1) * perPage);
  return { items: await views(db, rows), total: Number(n) };
}

export async function getClientCertificate(db: Db, id: string): Promise<ClientCertificateView | null> {
  if (!isUuid(id)) return null;
  const [row] = await db.select().from(clientCertificates).where(eq(clientCertificates.id, id));
  return row ? (await views(db, [row]))[0] : null;
}

/** Re-signs the CA's CRL after a status change; a failure leaves the change recorded (and pending) and is logged. */
async function publishCrl(caId: string, actor: Actor): Promise<void> {
  // The actor was allowed the status change just before; the CRL is its consequence (no audit event of its own).
  const r = await mutate(actor, async (tx) => ok(await regenerateCrl(tx, caId))).catch((e: Error) => {
    console.error("[client-certificates] CRL not re-signed:", e.message);
    return null;
  });
  if (r && !r.ok) console.error("[client-certificates] CRL not re-signed:", r.error.message);
  await notifyConfigChanged().catch((e: Error) => console.error("[client-certificates] notify failed:", e.message));
}

async function changeStatus(db: Db, actor: Actor, id: string, to: "revoke" | "reactivate", reason?: string): Promise<Result<ClientCertificateView>> {
  if (!isUuid(id)) return fail("not_found", GONE);
  const r = await mutate(actor, async (tx, audit) => {
    const [row] = await tx.select().from(clientCertificates).where(eq(clientCertificates.id, id)).for("update");
    if (!row) return fail("not_found", GONE);
    if (to === "revoke" && row.status !== "active") return fail("conflict", "This client certificate is already revoked.");
    if (to === "reactivate" && row.status === "active") return fail("conflict", "This client certificate is active; only a revoked certificate can be reactivated.");
    const now = new Date();
    const set =
      to === "revoke"
        ? { status: "pending_revocation", revokedAt: now, revocationReason: reason || null }
        : { status: "active", revokedAt: null, revocationReason: null };
    const [updated] = await tx.update(clientCertificates).set({ ...set, version: row.version + 1, updatedAt: now }).where(eq(clientCertificates.id, id)).returning();
    await audit({
      action: to === "revoke" ? "client_certificate.revoke" : "client_certificate.reactivate",
      resourceType: "client_certificate",
      resourceId: id,
      before: { status: row.status, label: row.label, common_name: row.commonName, serial_number: row.serialNumber },
      after: { status: to === "revoke" ? "revoked" : "active", ...(to === "revoke" ? { reason: reason || null } : {}) },
    });
    return ok(updated);
  });
  if (!r.ok) return r;
  await publishCrl(r.value.managedCaId, actor);
  return ok((await getClientCertificate(db, id))!);
}

/** Revokes (the reason is optional, at most 500 characters) and publishes a new CRL. */
export async function revokeClientCertificate(db: Db, actor: Actor, id: string, reason?: unknown): Promise<Result<ClientCertificateView>> {
  const parsed = reasonSchema.safeParse(reason ?? undefined);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, { reason: [parsed.error.issues[0].message] });
  return changeStatus(db, actor, id, "revoke", parsed.data);
}

/** Takes a revoked certificate off the CRL again. */
export async function reactivateClientCertificate(db: Db, actor: Actor, id: string): Promise<Result<ClientCertificateView>> {
  return changeStatus(db, actor, id, "reactivate");
}
