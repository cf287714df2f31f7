/**
 * The managed CA: a CA Portcullis runs itself for teams without one. It IS an mTLS certificate row (`managed`), so
 * hostname associations, policies, the gateway and the nginx export treat it like an uploaded CA; its private key
 * (sealed, lib/server/secret-box) and CRL number live in `managed_cas`. Created on first use; rotation creates a new
 * one that takes over issuing while the old one stays trusted until its last certificate expires (the daily job
 * retires it then) or an admin retires it. The key never appears in a view, a response, a log or the audit log.
 */
import "reflect-metadata";
import { createPublicKey, createPrivateKey } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { and, count, desc, eq, gt, inArray, isNull, sql } from "drizzle-orm";
import { z } from "zod";
import type { Db, Tx } from "../../db/client";
import { certificateHostnames, clientCertificates, managedCas, mtlsCertificates } from "../../db/schema";
import { inspectChainStrict } from "../../pki/server";
import { SYSTEM_ACTOR, type Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { hostnamesOf, isUuid, type ChainMemberSummary } from "../certificates/queries";
import { regenerateCrl } from "./crl";
import { CA_KEY_TYPES, DEFAULT_CA_KEY_TYPE, withCaKey, exportPkcs8, generateCaKeys, keyTypeOf, openCaKey, sealCaKey, signingAlgorithm, type CaKeyType } from "./keys";
import { buildPkcs12, Pkcs12Error, readPkcs12 } from "./pkcs12";
import { installationName, toManagedCaView, type ManagedCaView } from "./view";

export { CA_KEY_TYPES, DEFAULT_CA_KEY_TYPE, type CaKeyType } from "./keys";
export { CRL_PATH, crlUrls, type ManagedCaView } from "./view";
export { regenerateCrl } from "./crl";

/** Years a managed CA is valid: longer than the longest client certificate (15 years) it may issue. */
export const CA_VALIDITY_YEARS = 25;
export const MIN_PKCS12_PASSWORD = 8;
const GONE = "That managed CA no longer exists.";
const ENSURE_LOCK = 727_316;

const keyTypeSchema = z.enum(CA_KEY_TYPES, { error: `Key type must be one of ${CA_KEY_TYPES.join(", ")}` });
const createSchema = z.object({ keyType: keyTypeSchema.default(DEFAULT_CA_KEY_TYPE) });
const passwordSchema = z
  .string({ error: "A password is required" })
  .min(MIN_PKCS12_PASSWORD, `The password must be at least ${MIN_PKCS12_PASSWORD} characters`)
  .max(1024, "The password must be at most 1024 characters");

const caColumns = {
  id: mtlsCertificates.id,
  name: mtlsCertificates.name,
  certificatePem: mtlsCertificates.certificatePem,
  chain: mtlsCertificates.chain,
  crl: mtlsCertificates.crl,
  keyType: managedCas.keyType,
  crlNumber: managedCas.crlNumber,
  retiredAt: managedCas.retiredAt,
  createdAt: managedCas.createdAt,
};

/** Every managed CA, newest first; the first one not retired is `current`. */
export async function listManagedCas(db: Db): Promise<ManagedCaView[]> {
  const rows = await db.select(caColumns).from(managedCas).innerJoin(mtlsCertificates, eq(mtlsCertificates.id, managedCas.id)).orderBy(desc(managedCas.createdAt));
  if (!rows.length) return [];
  const ids = rows.map((r) => r.id);
  const hosts = await hostnamesOf(db, ids);
  const counts = await db
    .select({ ca: clientCertificates.managedCaId, issued: count(), active: sql<number>`count(*) filter (where ${clientCertificates.status} = 'active')` })
    .from(clientCertificates)
    .where(inArray(clientCertificates.managedCaId, ids))
    .groupBy(clientCertificates.managedCaId);
  const byCa = new Map(counts.map((c) => [c.ca, { issued: Number(c.issued), active: Number(c.active) }]));
  const currentId = rows.find((r) => !r.retiredAt)?.id;
  return rows.map((r) => toManagedCaView(r, r.id === currentId, hosts.get(r.id) ?? [], byCa.get(r.id) ?? { issued: 0, active: 0 }));
}

export async function getManagedCa(db: Db, id: string): Promise<ManagedCaView | null> {
  if (!isUuid(id)) return null;
  return (await listManagedCas(db)).find((c) => c.id === id) ?? null;
}

/** The CA that issues new certificates (newest not retired), with what signing needs; null when there is none. */
export async function currentIssuer(db: Db | Tx) {
  const [row] = await db
    .select({ ...caColumns, sealedKey: managedCas.sealedKey, expiresOn: mtlsCertificates.expiresOn })
    .from(managedCas)
    .innerJoin(mtlsCertificates, eq(mtlsCertificates.id, managedCas.id))
    .where(isNull(managedCas.retiredAt))
    .orderBy(desc(managedCas.createdAt))
    .limit(1);
  return row ?? null;
}

async function makeCaCertificate(type: CaKeyType) {
  const keys = await generateCaKeys(type);
  const now = new Date();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_VALIDITY_YEARS);
  const ski = await x509.SubjectKeyIdentifierExtension.create(keys.publicKey);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`${installationName()} Managed CA ${ski.keyId.slice(0, 8)}`] }, { O: ["Portcullis"] }],
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    keys,
    signingAlgorithm: signingAlgorithm(type),
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature, true),
      ski,
      new x509.AuthorityKeyIdentifierExtension(ski.keyId),
    ],
  });
  return { pem: cert.toString("pem"), pkcs8: await exportPkcs8(keys.privateKey) };
}

/** Inserts a managed CA (certificate + sealed key) and its first CRL; copies `hostnamesFrom`'s hostnames. */
async function insertCa(tx: Tx, pem: string, pkcs8: Uint8Array, keyType: CaKeyType, hostnames: string[]) {
  const inspected = await inspectChainStrict(pem);
  const bad = inspected.issues.find((i) => i.severity === "error");
  if (bad || !inspected.fingerprint || !inspected.expiresOn) throw new Error(`managed CA certificate refused: ${bad?.message ?? "unreadable"}`);
  const chain = inspected.certificates.map((member) => {
    const rest: Partial<typeof member> = { ...member };
    delete rest.pem;
    return rest as ChainMemberSummary;
  });
  const cn = chain[0].subjectCN ?? "Managed CA";
  const [row] = await tx
    .insert(mtlsCertificates)
    .values({ name: cn, certificatePem: inspected.normalizedPem, fingerprint: inspected.fingerprint, expiresOn: new Date(inspected.expiresOn), chain, managed: true })
    .returning({ id: mtlsCertificates.id });
  await tx.insert(managedCas).values({ id: row.id, keyType, sealedKey: sealCaKey(pkcs8) });
  if (hostnames.length) await tx.insert(certificateHostnames).values(hostnames.map((hostname, position) => ({ certificateId: row.id, hostname, position })));
  await regenerateCrl(tx, row.id);
  return { id: row.id, name: cn, fingerprint: chain[0].sha256Fingerprint };
}

const audited = (c: { id: string; name: string; fingerprint: string }, keyType: string) => ({ id: c.id, name: c.name, key_type: keyType, sha256_fingerprint: c.fingerprint });

/** The current managed CA, created (ECDSA P-256, by the system) on first use. */
export async function ensureManagedCa(db: Db): Promise<ManagedCaView> {
  const existing = await currentIssuer(db);
  if (!existing) {
    const made = await makeCaCertificate(DEFAULT_CA_KEY_TYPE);
    const r = await mutate(SYSTEM_ACTOR, async (tx, audit) => {
      // One creator at a time; a concurrent first use finds the CA made by the other.
      await tx.execute(sql`select pg_advisory_xact_lock(${ENSURE_LOCK})`);
      if (await currentIssuer(tx)) return ok(null);
      const ca = await insertCa(tx, made.pem, made.pkcs8, DEFAULT_CA_KEY_TYPE, []);
      await audit({ action: "managed_ca.create", resourceType: "mtls_certificate", resourceId: ca.id, after: audited(ca, DEFAULT_CA_KEY_TYPE) });
      return ok(ca.id);
    });
    if (!r.ok) throw new Error(r.error.message);
    if (r.value) await notify();
  }
  const current = (await listManagedCas(db)).find((c) => c.current);
  if (!current) throw new Error("managed CA missing after creation");
  return current;
}

const notify = () => notifyConfigChanged().catch((e: Error) => console.error("[managed-ca] notify failed:", e.message));

/** Rotation: a new managed CA (input `{ keyType }`) issues from now on; the previous ones stay trusted. */
export const createManagedCa = (db: Db, actor: Actor, input: unknown): Promise<Result<ManagedCaView>> => withCaKey(() => createCa(db, actor, input));
async function createCa(db: Db, actor: Actor, input: unknown): Promise<Result<ManagedCaView>> {
  const parsed = createSchema.safeParse(input ?? {});
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  const { keyType } = parsed.data;
  const made = await makeCaCertificate(keyType);
  const r = await mutate(actor, async (tx, audit) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ENSURE_LOCK})`);
    const previous = await currentIssuer(tx);
    const hostnames = previous ? ((await hostnamesOf(tx, [previous.id])).get(previous.id) ?? []) : [];
    const ca = await insertCa(tx, made.pem, made.pkcs8, keyType, hostnames);
    await audit({ action: "managed_ca.create", resourceType: "mtls_certificate", resourceId: ca.id, after: { ...audited(ca, keyType), replaces: previous?.id ?? null, associated_hostnames: hostnames } });
    return ok(ca.id);
  });
  if (!r.ok) return r;
  await notify();
  return ok((await getManagedCa(db, r.value))!);
}

/** Retire: issues nothing more and is no longer trusted (its hostname associations are removed). */
export async function retireManagedCa(db: Db, actor: Actor, id: string): Promise<Result<ManagedCaView>> {
  if (!isUuid(id)) return fail("not_found", GONE);
  const r = await mutate(actor, async (tx, audit) => {
    const [ca] = await tx.select({ id: managedCas.id, retiredAt: managedCas.retiredAt }).from(managedCas).where(eq(managedCas.id, id)).for("update");
    if (!ca) return fail("not_found", GONE);
    if (ca.retiredAt) return fail("conflict", "This managed CA is already retired.");
    const hostnames = (await hostnamesOf(tx, [id])).get(id) ?? [];
    await tx.update(managedCas).set({ retiredAt: new Date() }).where(eq(managedCas.id, id));
    await tx.delete(certificateHostnames).where(eq(certificateHostnames.certificateId, id));
    await tx.update(mtlsCertificates).set({ version: sql`${mtlsCertificates.version} + 1`, updatedAt: new Date() }).where(eq(mtlsCertificates.id, id));
    await audit({ action: "managed_ca.retire", resourceType: "mtls_certificate", resourceId: id, before: { associated_hostnames: hostnames } });
    return ok(id);
  });
  if (!r.ok) return r;
  await notify();
  return ok((await getManagedCa(db, id))!);
}

/** The CA's certificate and key as a PKCS#12 file under `password` (AES-256, PBKDF2); audited without either. */
export const exportManagedCaPkcs12 = (db: Db, actor: Actor, id: string, password: unknown): Promise<Result<Uint8Array>> => withCaKey(() => exportCa(db, actor, id, password));
async function exportCa(db: Db, actor: Actor, id: string, password: unknown): Promise<Result<Uint8Array>> {
  if (!isUuid(id)) return fail("not_found", GONE);
  const pw = passwordSchema.safeParse(password);
  if (!pw.success) return fail("validation", pw.error.issues[0].message, { password: [pw.error.issues[0].message] });
  return mutate(actor, async (tx, audit) => {
    const [ca] = await tx
      .select({ sealedKey: managedCas.sealedKey, pem: mtlsCertificates.certificatePem, name: mtlsCertificates.name })
      .from(managedCas)
      .innerJoin(mtlsCertificates, eq(mtlsCertificates.id, managedCas.id))
      .where(eq(managedCas.id, id));
    if (!ca) return fail("not_found", GONE);
    const der = new Uint8Array(new x509.X509Certificate(ca.pem).rawData);
    const file = await buildPkcs12(openCaKey(ca.sealedKey), der, pw.data, ca.name);
    await audit({ action: "managed_ca.export", resourceType: "mtls_certificate", resourceId: id, after: { name: ca.name } });
    return ok(file);
  });
}

/** Imports a managed CA backup (PKCS#12): it becomes the current issuer here; refused when already present. */
export const importManagedCaPkcs12 = (db: Db, actor: Actor, bytes: Uint8Array, password: unknown): Promise<Result<ManagedCaView>> =>
  withCaKey(() => importCa(db, actor, bytes, password));
async function importCa(db: Db, actor: Actor, bytes: Uint8Array, password: unknown): Promise<Result<ManagedCaView>> {
  const pw = z.string({ error: "A password is required" }).max(1024).safeParse(password);
  if (!pw.success) return fail("validation", pw.error.issues[0].message, { password: [pw.error.issues[0].message] });
  const refuse = (m: string) => fail("validation", m, { file: [m] });
  if (!(bytes instanceof Uint8Array) || bytes.length === 0) return refuse("Choose the PKCS#12 file of a managed CA backup.");
  if (bytes.length > 1024 * 1024) return refuse("The file is larger than 1 MiB; a managed CA backup is a few kilobytes.");
  let content: { keys: Uint8Array[]; certificates: Uint8Array[] };
  try {
    content = await readPkcs12(bytes, pw.data);
  } catch (e) {
    if (e instanceof Pkcs12Error) return fail("validation", e.message, e.message.startsWith("The password") ? { password: [e.message] } : { file: [e.message] });
    throw e;
  }
  if (content.keys.length !== 1) return refuse(`The file must hold exactly one private key (it holds ${content.keys.length}).`);
  const key = content.keys[0];
  const keyType = keyTypeOf(key);
  if (!keyType) return refuse(`The CA key must be ${CA_KEY_TYPES.join(", ")}.`);
  const publicDer = createPublicKey(createPrivateKey({ key: Buffer.from(key), format: "der", type: "pkcs8" })).export({ type: "spki", format: "der" });
  const certDer = content.certificates.find((c) => Buffer.from(new x509.X509Certificate(new Uint8Array(c)).publicKey.rawData).equals(publicDer));
  if (!certDer) return refuse("No certificate in the file matches its private key.");
  const pem = new x509.X509Certificate(new Uint8Array(certDer)).toString("pem");
  const inspected = await inspectChainStrict(pem);
  const bad = inspected.issues.find((i) => i.severity === "error");
  if (bad) return refuse(`The certificate cannot be a managed CA: ${bad.message}`);
  const r = await mutate(actor, async (tx, audit) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ENSURE_LOCK})`);
    const [dup] = await tx.select({ id: mtlsCertificates.id }).from(mtlsCertificates).where(eq(mtlsCertificates.certificatePem, inspected.normalizedPem)).limit(1);
    if (dup) return fail("conflict", "This CA is already on this installation.", { file: ["This CA is already on this installation."] });
    const previous = await currentIssuer(tx);
    const hostnames = previous ? ((await hostnamesOf(tx, [previous.id])).get(previous.id) ?? []) : [];
    const ca = await insertCa(tx, pem, key, keyType, hostnames);
    await audit({ action: "managed_ca.import", resourceType: "mtls_certificate", resourceId: ca.id, after: { ...audited(ca, keyType), associated_hostnames: hostnames } });
    return ok(ca.id);
  });
  if (!r.ok) return r;
  await notify();
  return ok((await getManagedCa(db, r.value))!);
}

/**
 * Daily work (lib/server/scheduler): re-issue every CRL older than a day (nextUpdate stays a week ahead), and retire
 * a replaced CA once none of its certificates is still valid. Returns what it did, for the log.
 */
export async function maintainManagedCas(db: Db, now = new Date()): Promise<{ reissued: number; retired: number }> {
  const cas = await db.select({ id: managedCas.id, crlIssuedAt: managedCas.crlIssuedAt, retiredAt: managedCas.retiredAt }).from(managedCas);
  const current = await currentIssuer(db);
  let reissued = 0;
  let retired = 0;
  for (const ca of cas) {
    if (ca.retiredAt) continue;
    if (current && ca.id !== current.id) {
      const [live] = await db
        .select({ n: count() })
        .from(clientCertificates)
        .where(and(eq(clientCertificates.managedCaId, ca.id), eq(clientCertificates.status, "active"), gt(clientCertificates.expiresOn, now)));
      if (Number(live.n) === 0) {
        if ((await retireManagedCa(db, SYSTEM_ACTOR, ca.id)).ok) retired++;
        continue;
      }
    }
    if (!ca.crlIssuedAt || now.getTime() - ca.crlIssuedAt.getTime() >= 24 * 3_600_000 - 60_000) {
      const r = await mutate(SYSTEM_ACTOR, async (tx) => ok(await regenerateCrl(tx, ca.id, now)));
      if (r.ok) reissued++;
    }
  }
  if (reissued || retired) await notify();
  return { reissued, retired };
}
