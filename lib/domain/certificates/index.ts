/**
 * mTLS certificates: the one implementation behind the console and the REST API.
 * The PEM is stored but only ever returned by `getCertificatePem` (download) and `certificatesForHostname`
 * (gateway); DTOs and audit events carry parsed summaries only. Private keys are refused before parsing.
 */
import { and, count, eq, ne, sql } from "drizzle-orm";
import { z } from "zod";
import type { Tx } from "../../db/client";
import { certificateHostnames, hostnameSettings, mtlsCertificates } from "../../db/schema";
import { normalizeHostnames } from "../../hostname";
import { inspectChainStrict } from "../../pki/server";
import {
  containsPrivateKey,
  hostnamesOf,
  isUuid,
  knownChains,
  MAX_NAME_LENGTH,
  maxCertificates,
  PRIVATE_KEY_REFUSAL,
  toDto,
  type CertificateDto,
  type ChainMemberSummary,
  type CrlSummary,
} from "./queries";
import { duplicateCaWarning } from "./duplicates";
import type { Actor } from "../core/actor";
import { certificateHostnameImpact, impactWarning } from "../hostnames";
import { canWrite } from "../core/actor";
import { checkCrlForChain, crlWarnings } from "../crls";
import { mutate } from "../core/mutate";
import { fail, ok, READ_ONLY_MESSAGE, zodFieldErrors, type Result } from "../core/result";

export * from "./queries";

const nameSchema = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(MAX_NAME_LENGTH, `Name must be at most ${MAX_NAME_LENGTH} characters`);
/** A list, or one string separated by commas / whitespace (a form field). */
const hostnamesSchema = z
  .union([z.array(z.string({ error: "Each hostname must be a string" })), z.string()], {
    error: "Associated hostnames must be a list of hostnames",
  })
  .transform((v) => (typeof v === "string" ? v.split(/[\s,]+/) : v));

const createSchema = z.object({
  name: nameSchema,
  certificate: z.string({ error: "Certificate content is required" }).min(1, "Certificate content is required"),
  associated_hostnames: hostnamesSchema.default([]),
  /** Optional CRL (PEM or base64 DER) issued by a CA of the chain. */
  crl: z
    .string({ error: "The CRL must be PEM text" })
    .max(5 * 1024 * 1024, "The CRL must be at most 5 MiB")
    .optional()
    .transform((v) => (v && v.trim() ? v.trim() : undefined)),
});
const updateSchema = z.object({
  name: nameSchema.optional(),
  associated_hostnames: hostnamesSchema,
  version: z.coerce.number().int().positive().optional(),
});

function checkHostnames(list: string[]): Result<{ hostnames: string[]; notices: string[] }> {
  const r = normalizeHostnames(list);
  if (r.errors.length) {
    return fail("validation", "Check the associated hostnames.", { associated_hostnames: r.errors.map((e) => e.error) });
  }
  return ok({ hostnames: r.hostnames, notices: r.notices });
}

async function nameTaken(tx: Tx, name: string, exceptId?: string): Promise<boolean> {
  const cond = sql`lower(${mtlsCertificates.name}) = lower(${name})`;
  const [row] = await tx
    .select({ id: mtlsCertificates.id })
    .from(mtlsCertificates)
    .where(exceptId ? and(cond, ne(mtlsCertificates.id, exceptId)) : cond)
    .limit(1);
  return !!row;
}

const nameTakenError = (name: string) =>
  fail("conflict", `An mTLS certificate named "${name}" already exists.`, {
    name: [`An mTLS certificate named "${name}" already exists. Choose another name.`],
  });

async function replaceHostnames(tx: Tx, id: string, hostnames: string[]) {
  await tx.delete(certificateHostnames).where(eq(certificateHostnames.certificateId, id));
  if (hostnames.length) {
    await tx.insert(certificateHostnames).values(hostnames.map((hostname, position) => ({ certificateId: id, hostname, position })));
  }
  await dropOrphanSettings(tx);
}

export async function createCertificate(actor: Actor, input: unknown): Promise<Result<CertificateDto>> {
  // Refuse a private key before validation, parsing, logging or auditing can see it.
  const raw = input as { certificate?: unknown; crl?: unknown } | null;
  if (containsPrivateKey(raw?.certificate) || containsPrivateKey(raw?.crl)) {
    return fail("validation", PRIVATE_KEY_REFUSAL, { certificate: [PRIVATE_KEY_REFUSAL] });
  }
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  // Collect every field's problems at once: schema, inspector, hostnames.
  const parsed = createSchema.safeParse(input);
  const fieldErrors: Record<string, string[]> = parsed.success ? {} : zodFieldErrors(parsed.error.issues);
  const inspected = typeof raw?.certificate === "string" && raw.certificate.trim() ? await inspectChainStrict(raw.certificate) : null;
  const certErrors = inspected?.issues.filter((i) => i.severity === "error").map((i) => i.message) ?? [];
  if (certErrors.length) fieldErrors.certificate = certErrors;
  else if (inspected && (!inspected.certificates.length || !inspected.expiresOn || !inspected.fingerprint)) {
    fieldErrors.certificate = ["No certificate found in the input."];
  }
  const hostList = hostnamesSchema.safeParse((input as { associated_hostnames?: unknown } | null)?.associated_hostnames ?? []);
  const hosts = hostList.success ? checkHostnames(hostList.data) : null;
  if (hosts && !hosts.ok) Object.assign(fieldErrors, hosts.error.fieldErrors);
  if (!parsed.success || !inspected || !hosts?.ok || Object.keys(fieldErrors).length) {
    return fail("validation", "Check the highlighted fields.", fieldErrors);
  }
  const chain = inspected.certificates.map((c) => {
    const copy: Partial<typeof c> = { ...c };
    delete copy.pem;
    return copy as ChainMemberSummary;
  });
  const warnings = [
    ...inspected.issues.filter((i) => i.severity === "warning").map((i) => i.message),
    ...hosts.value.notices,
  ];
  let crl: { pem: string; summary: CrlSummary } | null = null;
  if (parsed.data.crl) {
    const checked = await checkCrlForChain(parsed.data.crl, inspected.normalizedPem, chain);
    if (!checked.ok) return checked;
    crl = checked.value;
    warnings.push(...crlWarnings(checked.value.summary));
  }
  const { name } = parsed.data;
  const duplicate = duplicateCaWarning(chain.map((c) => c.sha256Fingerprint), await knownChains());
  if (duplicate) warnings.push(duplicate);

  const result = await mutate(actor, async (tx, audit) => {
    // Serialise creators so the soft limit holds under concurrent uploads.
    await tx.execute(sql`lock table ${mtlsCertificates} in share row exclusive mode`);
    const [{ n }] = await tx.select({ n: count() }).from(mtlsCertificates);
    const max = maxCertificates();
    if (n >= max) {
      return fail(
        "limit",
        `This instance already has ${n} mTLS certificates; the limit is ${max}. Delete a certificate you no longer need, or raise PORTCULLIS_MAX_CERTIFICATES.`,
      );
    }
    if (await nameTaken(tx, name)) return nameTakenError(name);
    const [row] = await tx
      .insert(mtlsCertificates)
      .values({
        name,
        certificatePem: inspected.normalizedPem,
        fingerprint: inspected.fingerprint!,
        expiresOn: new Date(inspected.expiresOn!),
        chain,
        crlPem: crl?.pem ?? null,
        crl: crl?.summary ?? null,
      })
      .returning();
    await replaceHostnames(tx, row.id, hosts.value.hostnames);
    const dto = toDto(row, hosts.value.hostnames);
    await audit({ action: "mtls_certificate.create", resourceType: "mtls_certificate", resourceId: row.id, after: auditView(dto) });
    return ok(dto);
  });
  return result.ok ? ok(result.value, warnings) : result;
}

/** What the audit log records: identifying fields, never PEM or full summaries. */
function auditView(dto: CertificateDto) {
  return {
    id: dto.id,
    name: dto.name,
    associated_hostnames: dto.associated_hostnames,
    fingerprint: dto.fingerprint,
    expires_on: dto.expires_on,
    subjects: dto.chain.map((c) => c.subject),
  };
}

export async function updateCertificate(actor: Actor, id: string, input: unknown): Promise<Result<CertificateDto>> {
  if (!isUuid(id)) return fail("not_found", "That mTLS certificate no longer exists.");
  const parsed = updateSchema.safeParse(input);
  if (!parsed.success) return fail("validation", "Check the highlighted fields.", zodFieldErrors(parsed.error.issues));
  const hosts = checkHostnames(parsed.data.associated_hostnames);
  if (!hosts.ok) return hosts;
  const impact = await certificateHostnameImpact(id, hosts.value.hostnames);
  const result = await mutate(actor, async (tx, audit) => {
    const [before] = await tx.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id)).limit(1).for("update");
    if (!before) return fail("not_found", "That mTLS certificate no longer exists.");
    if (parsed.data.version !== undefined && parsed.data.version !== before.version) {
      return fail(
        "stale",
        "This certificate was changed by someone else since you opened it. Reload to see the latest version.",
      );
    }
    const name = parsed.data.name ?? before.name;
    if (name !== before.name && (await nameTaken(tx, name, id))) return nameTakenError(name);
    const beforeDto = toDto(before, (await hostnamesOf(tx, [id])).get(id) ?? []);
    const [row] = await tx
      .update(mtlsCertificates)
      .set({ name, version: before.version + 1, updatedAt: new Date() })
      .where(eq(mtlsCertificates.id, id))
      .returning();
    await replaceHostnames(tx, id, hosts.value.hostnames);
    const dto = toDto(row, hosts.value.hostnames);
    await audit({
      action: "mtls_certificate.update",
      resourceType: "mtls_certificate",
      resourceId: id,
      before: auditView(beforeDto),
      after: auditView(dto),
    });
    return ok(dto);
  });
  if (!result.ok) return result;
  const warnings = [...hosts.value.notices];
  if (impact.length) warnings.push(impactWarning(impact, "update"));
  return ok(result.value, warnings);
}

export const MANAGED_CA_DELETE_REFUSAL =
  "This is Portcullis's managed CA: deleting it would destroy its private key and every client certificate it issued. Retire it instead (Client certificates → Managed CA), which stops trusting it.";

/** Deletes the certificate and its hostname associations in one transaction. */
export async function deleteCertificate(actor: Actor, id: string): Promise<Result<{ id: string }>> {
  if (!isUuid(id)) return fail("not_found", "That mTLS certificate no longer exists.");
  const impact = await certificateHostnameImpact(id, null);
  const result = await mutate(actor, async (tx, audit) => {
    const [before] = await tx.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id)).limit(1).for("update");
    if (!before) return fail("not_found", "That mTLS certificate no longer exists.");
    // Deleting the row would destroy the managed CA's key and every certificate it issued (lib/domain/managed-ca).
    if (before.managed) return fail("conflict", MANAGED_CA_DELETE_REFUSAL);
    const beforeDto = toDto(before, (await hostnamesOf(tx, [id])).get(id) ?? []);
    await tx.delete(certificateHostnames).where(eq(certificateHostnames.certificateId, id));
    await tx.delete(mtlsCertificates).where(eq(mtlsCertificates.id, id));
    await dropOrphanSettings(tx);
    await audit({ action: "mtls_certificate.delete", resourceType: "mtls_certificate", resourceId: id, before: auditView(beforeDto) });
    return ok({ id });
  });
  if (!result.ok) return result;
  return ok(result.value, impact.length ? [impactWarning(impact, "delete")] : undefined);
}

/** Hostname settings exist only for associated hostnames. */
async function dropOrphanSettings(tx: Tx) {
  await tx.execute(
    sql`delete from ${hostnameSettings} where ${hostnameSettings.hostname} not in (select ${certificateHostnames.hostname} from ${certificateHostnames})`,
  );
}
