/**
 * Blocked certificates (Mutual TLS → Blocked certificates): the instant lock of one client certificate, without a
 * CRL. Blocked from an access-log row (its leaf, kept in client_certificates_seen), from a Test mTLS result (the
 * tested leaf), from a CA's list of client certificates seen, or by hand / over the REST API (a SHA-256 fingerprint,
 * or an issuer DN and serial number). Each block and unblock is audited and notifies the gateway
 * (lib/domain/core/config-events), which drops its compiled hostnames: the next request, within a second on every
 * instance, is decided with the new list. The decision itself is lib/access's (`decide`: a blocked certificate is
 * refused before any policy), so every door agrees.
 */
import { asc, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { blockKey, normalizeSerial, normalizeSha256, type BlockedCertificate, type BlockKind } from "../../access/blocked";
import { getDb } from "../../db/client";
import { blockedCertificates, clientCertificatesSeen } from "../../db/schema";
import { describeCertificate, parseCertificate } from "../../pki";
import { parseCertificates } from "../../pki/path";
import type { Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

/** At most this many blocks: each one is checked on every request (a map lookup) and shipped to every worker. */
export const MAX_BLOCKED_CERTIFICATES = 10_000;

export const BLOCK_SOURCES = ["access_log", "test_mtls", "certificate", "api", "console"] as const;
export type BlockSource = (typeof BLOCK_SOURCES)[number];

export interface BlockedCertificateDto {
  id: string;
  /** what matches: the SHA-256 fingerprint, or the issuer and serial number */
  match: BlockKind;
  sha256: string | null;
  issuer: string | null;
  serial_number: string | null;
  subject: string | null;
  reason: string;
  source: BlockSource;
  created_by: string;
  created_at: string;
}

type Row = typeof blockedCertificates.$inferSelect;

const toDto = (r: Row): BlockedCertificateDto => ({
  id: r.id,
  match: r.kind as BlockKind,
  sha256: r.sha256,
  issuer: r.issuer,
  serial_number: r.serial,
  subject: r.subject,
  reason: r.reason,
  source: r.source as BlockSource,
  created_by: r.createdBy,
  created_at: r.createdAt.toISOString(),
});

const text = (field: string, max: number) =>
  z.string({ error: `${field} must be text` }).trim().max(max, `${field} must be at most ${max} characters`).optional();

export const blockSchema = z
  .object({
    reason: z.string({ error: "Reason is required" }).trim().min(1, "Reason is required: say why this certificate is blocked").max(500, "Reason must be at most 500 characters"),
    match: z.enum(["sha256", "issuer_serial"], { error: "Match must be sha256 or issuer_serial" }).optional(),
    sha256: text("SHA-256 fingerprint", 200),
    issuer: text("Issuer", 2000),
    serial_number: text("Serial number", 200),
    /** the certificate itself (PEM), e.g. the leaf a Test mTLS run used; only its leaf is read and nothing is stored */
    certificate: z.string({ error: "Certificate must be PEM text" }).max(1024 * 1024, "The certificate must be at most 1 MiB").optional(),
    /** an access-log row: its leaf (as stored in client_certificates_seen) is blocked */
    access_log_id: z.union([z.string(), z.number()], { error: "Access-log entry must be an ID" }).optional(),
    source: z.enum(BLOCK_SOURCES, { error: `Source must be one of ${BLOCK_SOURCES.join(", ")}` }).optional(),
  })
  .strict();

interface Subject {
  sha256: string | null;
  issuer: string | null;
  serial: string | null;
  subject: string | null;
}

const fieldFail = (field: string, message: string) => fail("validation", message, { [field]: [message] });

/** The certificate named by the input: its leaf's fingerprint, issuer, serial and subject (whichever are known). */
async function subjectOf(d: z.infer<typeof blockSchema>): Promise<Result<Subject>> {
  if (d.certificate !== undefined && d.certificate.trim()) {
    const { certs, errors } = parseCertificates([d.certificate]);
    if (!certs.length) return fieldFail("certificate", `The certificate could not be read${errors[0] ? `: ${errors[0]}` : ""}`);
    return ok(await summary(certs[0].der));
  }
  if (d.access_log_id !== undefined) {
    const raw = String(d.access_log_id).trim();
    if (!/^[1-9]\d{0,17}$/.test(raw)) return fieldFail("access_log_id", "That access-log entry ID is not valid");
    const db = await getDb();
    const res = (await db.execute(
      // The leaf is the first of the row's chain; its DER is kept once in client_certificates_seen.
      sql`select c.der from access_log a join client_certificates_seen c on c.sha256 = a.chain_sha256[1] where a.id = ${Number(raw)}`,
    )) as unknown as { rows: { der: Uint8Array }[] };
    const der = res.rows[0]?.der;
    if (!der) return fieldFail("access_log_id", "That access-log entry has no stored client certificate (none was presented, or retention removed it)");
    return ok(await summary(Buffer.from(der)));
  }
  if (d.sha256) {
    const fp = normalizeSha256(d.sha256);
    if (!fp) return fieldFail("sha256", "SHA-256 fingerprint must be 64 hexadecimal digits (colons allowed)");
    const db = await getDb();
    const [seen] = await db.select({ der: clientCertificatesSeen.der }).from(clientCertificatesSeen).where(eq(clientCertificatesSeen.sha256, fp)).limit(1);
    return ok(seen ? await summary(seen.der) : { sha256: fp, issuer: null, serial: null, subject: null });
  }
  if (d.issuer || d.serial_number) {
    if (!d.issuer) return fieldFail("issuer", "Issuer is required with a serial number (the issuer's DN, e.g. CN=Example Client CA, O=Example)");
    const serial = d.serial_number ? normalizeSerial(d.serial_number) : null;
    if (!serial) return fieldFail("serial_number", "Serial number must be hexadecimal (colons allowed), e.g. 0A:1B:2C");
    return ok({ sha256: null, issuer: d.issuer, serial, subject: null });
  }
  return fieldFail("sha256", "Name the certificate: a SHA-256 fingerprint, an issuer and serial number, or the certificate itself");
}

async function summary(der: Uint8Array): Promise<Subject> {
  const s = await describeCertificate(parseCertificate(der), 0);
  return { sha256: normalizeSha256(s.sha256Fingerprint), issuer: s.issuer, serial: normalizeSerial(s.serialNumber), subject: s.subject };
}

/** After the commit: the gateway drops its compiled hostnames (the fingerprint poll would see it within 500 ms too). */
const notify = () => notifyConfigChanged().catch((e: Error) => console.error("[blocked-certificates] notify failed:", e.message));

/** Blocks a client certificate (admins and edit tokens). */
export async function blockCertificate(actor: Actor, input: unknown): Promise<Result<BlockedCertificateDto>> {
  const parsed = blockSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the highlighted fields.", fieldErrors);
  }
  const d = parsed.data;
  const subject = await subjectOf(d);
  if (!subject.ok) return subject;
  const s = subject.value;
  const kind: BlockKind = d.match ?? (s.sha256 ? "sha256" : "issuer_serial");
  if (kind === "sha256" && !s.sha256) return fieldFail("match", "Matching by SHA-256 fingerprint needs the fingerprint or the certificate");
  if (kind === "issuer_serial" && (!s.issuer || !s.serial)) return fieldFail("match", "Matching by issuer and serial number needs both, or the certificate");
  const matchKey = kind === "sha256" ? blockKey("sha256", s.sha256!) : blockKey("issuer_serial", s.issuer!, s.serial!);
  const r = await mutate(actor, async (tx, audit) => {
    const [{ n }] = await tx.select({ n: count() }).from(blockedCertificates);
    if (n >= MAX_BLOCKED_CERTIFICATES) return fail("limit", `At most ${MAX_BLOCKED_CERTIFICATES} certificates can be blocked; unblock some, or revoke them with a CRL`);
    const [dup] = await tx.select({ id: blockedCertificates.id }).from(blockedCertificates).where(eq(blockedCertificates.matchKey, matchKey)).limit(1);
    if (dup) return fail("conflict", "This certificate is already blocked (Mutual TLS → Blocked certificates lists it)", { form: ["This certificate is already blocked"] });
    const [row] = await tx
      .insert(blockedCertificates)
      .values({ kind, matchKey, sha256: s.sha256, issuer: s.issuer, serial: s.serial, subject: s.subject, reason: d.reason, source: d.source ?? (actor.type === "token" ? "api" : "console"), createdBy: actor.label })
      .returning();
    const dto = toDto(row);
    await audit({ action: "blocked_certificate.block", resourceType: "blocked_certificate", resourceId: row.id, after: dto });
    return ok(dto);
  });
  if (r.ok) await notify();
  return r;
}

/** Removes a block (admins and edit tokens). */
export async function unblockCertificate(actor: Actor, id: unknown): Promise<Result<BlockedCertificateDto>> {
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) return fail("not_found", "That blocked certificate does not exist (it may have been unblocked already).");
  const r = await mutate(actor, async (tx, audit) => {
    const [row] = await tx.delete(blockedCertificates).where(eq(blockedCertificates.id, parsed.data)).returning();
    if (!row) return fail("not_found", "That blocked certificate does not exist (it may have been unblocked already).");
    const dto = toDto(row);
    await audit({ action: "blocked_certificate.unblock", resourceType: "blocked_certificate", resourceId: row.id, before: dto });
    return ok(dto);
  });
  if (r.ok) await notify();
  return r;
}

export async function listBlockedCertificates(): Promise<BlockedCertificateDto[]> {
  const db = await getDb();
  const rows = await db.select().from(blockedCertificates).orderBy(asc(blockedCertificates.createdAt), asc(blockedCertificates.id));
  return rows.map(toDto);
}

export async function getBlockedCertificate(id: unknown): Promise<BlockedCertificateDto | null> {
  const parsed = z.uuid().safeParse(id);
  if (!parsed.success) return null;
  const db = await getDb();
  const [row] = await db.select().from(blockedCertificates).where(eq(blockedCertificates.id, parsed.data)).limit(1);
  return row ? toDto(row) : null;
}

/** Every block as lib/access decides with it (the gateway and the tester; one read per configuration generation). */
export async function blockedCertificatesForDecision(): Promise<BlockedCertificate[]> {
  const db = await getDb();
  const rows = await db.select().from(blockedCertificates);
  return rows.map((r) => ({ id: r.id, kind: r.kind as BlockKind, sha256: r.sha256, issuer: r.issuer, serial: r.serial, reason: r.reason, blockedAt: r.createdAt.toISOString() }));
}
