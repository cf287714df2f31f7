/**
 * Certificate revocation lists of mTLS certificates: upload/replace and remove (one CRL per certificate).
 * The CRL (PEM, or DER sent as base64) must be signed by a CA of that certificate's chain; it is stored
 * as PEM in `mtls_certificates.crl_pem` with a parsed summary in `crl`, audited (summary only), and the
 * certificate's version is bumped. A CRL past its nextUpdate is accepted with a warning: clients of that
 * CA are then refused with "CRL has expired" until a current one is uploaded (see the test-mtls feature).
 */
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { certificateHostnames, mtlsCertificates } from "../../db/schema";
import { loadCrls } from "../../pki/crl";
import { parseCrl, verifyCrlAgainstChain } from "../../pki/crl-info";
import { toPem } from "../../pki/pem";
import type { Actor } from "../core/actor";
import { containsPrivateKey, hostnamesOf, isUuid, PRIVATE_KEY_REFUSAL, toDto, type CertificateDto, type ChainMemberSummary, type CrlSummary } from "../certificates/queries";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

export const MAX_CRL_BYTES = 5 * 1024 * 1024;
export const MAX_STORED_REVOKED = 1000;
export const CERTIFICATE_STALE_MESSAGE = "This certificate was changed by someone else since you opened it. Reload to see the latest version.";
const GONE = "That mTLS certificate no longer exists.";

/** The stored summary: lib/domain/certificates' CrlSummary plus the CA of the chain that signed it. */
export interface StoredCrlSummary extends CrlSummary {
  signedBy?: { index: number; subject: string; subjectCN: string | null };
}

const setSchema = z.object({
  crl: z
    .string({ error: "CRL content is required: paste the PEM or upload the .crl file" })
    .refine((s) => s.trim().length > 0, "CRL content is required: paste the PEM or upload the .crl file")
    .refine((s) => s.length <= MAX_CRL_BYTES, "The CRL must be at most 5 MiB"),
  version: z.coerce.number().int().positive().optional(),
});
const removeSchema = z.object({ version: z.coerce.number().int().positive().optional() }).optional();

/** True when the CRL's nextUpdate has passed at `now`. */
export function isCrlStale(crl: Pick<CrlSummary, "nextUpdate"> | null | undefined, now = new Date()): boolean {
  return !!crl?.nextUpdate && new Date(crl.nextUpdate).getTime() < now.getTime();
}

export function crlWarnings(crl: Pick<CrlSummary, "nextUpdate" | "thisUpdate">, now = new Date()): string[] {
  const out: string[] = [];
  if (isCrlStale(crl, now)) {
    out.push(
      `This CRL is out of date: its next update was due on ${crl.nextUpdate!.slice(0, 10)}. Certificates issued by its CA are refused with "CRL has expired" until you upload a current CRL.`,
    );
  }
  if (new Date(crl.thisUpdate).getTime() > now.getTime()) {
    out.push(`This CRL is not valid yet (issued for ${crl.thisUpdate}); until then certificates issued by its CA are refused with "CRL is not yet valid".`);
  }
  return out;
}

type Checked = { pem: string; summary: StoredCrlSummary };

/** Parse one CRL (PEM, DER bytes, or base64 DER) and check it against the certificate's chain. */
export async function checkCrlForChain(text: string, chainPem: string, chain: ChainMemberSummary[]): Promise<Result<Checked>> {
  const refuse = (m: string) => fail("validation", m, { crl: [m] });
  if (/-----BEGIN (?:TRUSTED )?CERTIFICATE-----/.test(text) && !/-----BEGIN X509 CRL-----/.test(text)) {
    return refuse("This is a certificate, not a certificate revocation list. Paste the CRL (-----BEGIN X509 CRL-----) or upload the .crl file.");
  }
  const { crls, errors } = loadCrls(text.trim());
  if (!crls.length) return refuse(`The CRL could not be read: ${errors[0] ?? "no CRL found"}`);
  if (crls.length > 1) return refuse(`The input holds ${crls.length} CRLs; upload one CRL (the one issued by a CA of this chain).`);
  const der = crls[0].der;
  const check = await verifyCrlAgainstChain(der, chainPem);
  if (!check.ok || check.issuerIndex === null) {
    if (check.error && check.error.code !== "crl_not_from_chain") return refuse(check.error.message);
    const why = check.error?.message ?? "It is not signed by a CA certificate of this chain.";
    return refuse(`This CRL was not issued by a CA of this certificate's chain. ${why}`);
  }
  const info = await parseCrl(der, chainPem);
  const bad = info.issues.find((i) => i.severity === "error");
  if (bad) return refuse(bad.message);
  const signer = chain[check.issuerIndex];
  return ok({
    pem: toPem(der, "X509 CRL"),
    summary: {
      issuer: info.issuer,
      issuerCN: info.issuerCN,
      thisUpdate: info.thisUpdate,
      nextUpdate: info.nextUpdate,
      revoked_count: info.revoked.length,
      revoked: info.revoked.slice(0, MAX_STORED_REVOKED),
      signedBy: { index: check.issuerIndex, subject: signer?.subject ?? info.issuer, subjectCN: signer?.subjectCN ?? info.issuerCN },
    },
  });
}

/** What the audit log records about a CRL: never the PEM, nor the full serial list. */
function auditCrl(c: unknown) {
  if (!c) return null;
  const s = c as StoredCrlSummary;
  return { issuer: s.issuer, thisUpdate: s.thisUpdate, nextUpdate: s.nextUpdate, revoked_count: s.revoked_count, signedBy: s.signedBy?.subject ?? null };
}

/** Upload or replace the CRL of certificate `id`. Input `{crl, version?}`. Warnings: stale / not yet valid. */
export async function setCertificateCrl(actor: Actor, id: string, input: unknown): Promise<Result<CertificateDto>> {
  const raw = input as { crl?: unknown } | null;
  if (containsPrivateKey(raw?.crl)) return fail("validation", PRIVATE_KEY_REFUSAL, { crl: [PRIVATE_KEY_REFUSAL] });
  if (!isUuid(id)) return fail("not_found", GONE);
  const parsed = setSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the CRL.", fieldErrors);
  }
  const now = new Date();
  let warnings: string[] = [];
  const result = await mutate(actor, async (tx, audit) => {
    const [row] = await tx.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id)).limit(1).for("update");
    if (!row) return fail("not_found", GONE);
    if (parsed.data.version !== undefined && parsed.data.version !== row.version) return fail("stale", CERTIFICATE_STALE_MESSAGE);
    const checked = await checkCrlForChain(parsed.data.crl, row.certificatePem, row.chain as ChainMemberSummary[]);
    if (!checked.ok) return checked;
    warnings = crlWarnings(checked.value.summary, now);
    const [updated] = await tx
      .update(mtlsCertificates)
      .set({ crlPem: checked.value.pem, crl: checked.value.summary, version: row.version + 1, updatedAt: now })
      .where(eq(mtlsCertificates.id, id))
      .returning();
    await audit({
      action: row.crlPem ? "mtls_certificate.crl_replace" : "mtls_certificate.crl_upload",
      resourceType: "mtls_certificate",
      resourceId: id,
      before: { name: row.name, crl: auditCrl(row.crl) },
      after: { name: row.name, crl: auditCrl(checked.value.summary) },
    });
    return ok(toDto(updated, (await hostnamesOf(tx, [id])).get(id) ?? []));
  });
  return result.ok ? ok(result.value, warnings) : result;
}

/** Remove the CRL of certificate `id` (revocation is then no longer checked for its CAs). Input `{version?}`. */
export async function removeCertificateCrl(actor: Actor, id: string, input?: unknown): Promise<Result<CertificateDto>> {
  if (!isUuid(id)) return fail("not_found", GONE);
  const parsed = removeSchema.safeParse(input ?? undefined);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message);
  return mutate(actor, async (tx, audit) => {
    const [row] = await tx.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id)).limit(1).for("update");
    if (!row) return fail("not_found", GONE);
    if (parsed.data?.version !== undefined && parsed.data.version !== row.version) return fail("stale", CERTIFICATE_STALE_MESSAGE);
    if (!row.crlPem) return fail("not_found", "This certificate has no CRL to remove.");
    const [updated] = await tx
      .update(mtlsCertificates)
      .set({ crlPem: null, crl: null, version: row.version + 1, updatedAt: new Date() })
      .where(eq(mtlsCertificates.id, id))
      .returning();
    await audit({
      action: "mtls_certificate.crl_remove",
      resourceType: "mtls_certificate",
      resourceId: id,
      before: { name: row.name, crl: auditCrl(row.crl) },
      after: { name: row.name, crl: null },
    });
    return ok(toDto(updated, (await hostnamesOf(tx, [id])).get(id) ?? []));
  });
}

/**
 * Stored CRL text by certificate id, with the certificate version it was read at. A CRL can be megabytes: callers
 * that run per request (Test mTLS, for any viewer or Read token) read it again only when the certificate's version
 * changed (every CRL upload, replace and removal bumps it), and reuse the same string otherwise, which lib/pki's
 * parse cache then recognises at once. Bounded; on globalThis so every server bundle shares one copy.
 */
const MAX_CACHED_CRL_TEXTS = 64;
const MAX_CACHED_CRL_CHARS = 32 * 1024 * 1024;
const gCrl = globalThis as { __portcullisCrlTexts?: Map<string, { version: number; pem: string }> };

function rememberCrlText(id: string, version: number, pem: string) {
  const m = (gCrl.__portcullisCrlTexts ??= new Map());
  m.delete(id);
  m.set(id, { version, pem });
  let chars = 0;
  for (const e of m.values()) chars += e.pem.length;
  for (const [key, e] of m) {
    if (m.size <= MAX_CACHED_CRL_TEXTS && chars <= MAX_CACHED_CRL_CHARS) break;
    m.delete(key);
    chars -= e.pem.length;
  }
}

/** The mTLS certificates associated with `hostname` (by name), with their PEM and stored CRL. */
export async function trustSourcesForHostname(hostname: string): Promise<{ id: string; name: string; pem: string; crlPem: string | null }[]> {
  const db = await getDb();
  const rows = await db
    .select({
      id: mtlsCertificates.id,
      name: mtlsCertificates.name,
      pem: mtlsCertificates.certificatePem,
      version: mtlsCertificates.version,
      hasCrl: sql<boolean>`${mtlsCertificates.crlPem} is not null`,
    })
    .from(mtlsCertificates)
    .innerJoin(certificateHostnames, eq(certificateHostnames.certificateId, mtlsCertificates.id))
    .where(eq(certificateHostnames.hostname, hostname.trim().toLowerCase()))
    .orderBy(asc(mtlsCertificates.name));
  return Promise.all(
    rows.map(async (r) => {
      if (!r.hasCrl) return { id: r.id, name: r.name, pem: r.pem, crlPem: null };
      const cached = gCrl.__portcullisCrlTexts?.get(r.id);
      if (cached && cached.version === r.version) return { id: r.id, name: r.name, pem: r.pem, crlPem: cached.pem };
      // Read the CRL with the version it belongs to (it may have changed since the query above).
      const [c] = await db
        .select({ crlPem: mtlsCertificates.crlPem, version: mtlsCertificates.version })
        .from(mtlsCertificates)
        .where(eq(mtlsCertificates.id, r.id));
      if (c?.crlPem) rememberCrlText(r.id, c.version, c.crlPem);
      return { id: r.id, name: r.name, pem: r.pem, crlPem: c?.crlPem ?? null };
    }),
  );
}
