/**
 * mTLS certificate DTOs and reads (list with filter and paging, one certificate, the PEM for download).
 * Writes are in ./certificates.ts, which re-exports everything here.
 */
import { and, asc, count, eq, gte, ilike, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../db/client";
import { certificateHostnames, mtlsCertificates } from "../../db/schema";
import { env } from "../../env.mjs";
import type { CertificateSummary } from "../../pki/types";
import type { KnownChain } from "./duplicates";

export type ChainMemberSummary = Omit<CertificateSummary, "pem">;

export interface CrlSummary {
  issuer: string;
  issuerCN: string | null;
  thisUpdate: string;
  nextUpdate: string | null;
  revoked_count: number;
  /** Revoked serial numbers (colon hex), at most the first 1000. */
  revoked: { serialNumber: string; revocationDate: string; reason?: string }[];
}

export interface CertificateDto {
  id: string;
  name: string;
  associated_hostnames: string[];
  fingerprint: string;
  expires_on: string;
  created_at: string;
  updated_at: string;
  version: number;
  chain: ChainMemberSummary[];
  crl: CrlSummary | null;
}

export type ExpiryStatus = "expired" | "expiring" | "valid";
export interface CertificateFilter {
  /** Matches the name or any associated hostname (case-insensitive substring). */
  q?: string;
  status?: ExpiryStatus;
}

export const MAX_NAME_LENGTH = 350;
export const EXPIRING_DAYS = 30;
const DAY = 86_400_000;
const PRIVATE_KEY_RE = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----/;
export const PRIVATE_KEY_REFUSAL = "This is a private key. Paste only certificates; the key never leaves your machine.";

export function maxCertificates(): number {
  return env().PORTCULLIS_MAX_CERTIFICATES ?? 50;
}

/** True when the text holds a private key block (checked before anything else touches the text). */
export function containsPrivateKey(text: unknown): boolean {
  return typeof text === "string" && PRIVATE_KEY_RE.test(text);
}

export function expiryStatus(expiresOn: string | Date, now = new Date()): { status: ExpiryStatus; days: number } {
  const ms = new Date(expiresOn).getTime() - now.getTime();
  const days = Math.floor(ms / DAY);
  if (ms < 0) return { status: "expired", days };
  return { status: days < EXPIRING_DAYS ? "expiring" : "valid", days };
}

export type Row = typeof mtlsCertificates.$inferSelect;
/** What a DTO is made of: the row without the stored PEMs (which DTOs never carry). */
export type DtoRow = Pick<Row, "id" | "name" | "fingerprint" | "expiresOn" | "createdAt" | "updatedAt" | "version" | "chain" | "crl">;

export function toDto(row: DtoRow, hostnames: string[]): CertificateDto {
  return {
    id: row.id,
    name: row.name,
    associated_hostnames: hostnames,
    fingerprint: row.fingerprint,
    expires_on: row.expiresOn.toISOString(),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
    version: row.version,
    chain: row.chain as ChainMemberSummary[],
    crl: (row.crl as CrlSummary | null) ?? null,
  };
}

export async function hostnamesOf(db: DbOrTx, ids: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(ids.map((id) => [id, []]));
  if (!ids.length) return out;
  const rows = await db
    .select()
    .from(certificateHostnames)
    .where(inArray(certificateHostnames.certificateId, ids))
    .orderBy(asc(certificateHostnames.position), asc(certificateHostnames.hostname));
  for (const r of rows) out.get(r.certificateId)?.push(r.hostname);
  return out;
}

function filterWhere(filter: CertificateFilter | undefined, now: Date): SQL | undefined {
  const conds: SQL[] = [];
  const q = filter?.q?.trim();
  if (q) {
    const like = `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    conds.push(
      or(
        ilike(mtlsCertificates.name, like),
        sql`exists (select 1 from ${certificateHostnames} where ${certificateHostnames.certificateId} = ${mtlsCertificates.id} and ${certificateHostnames.hostname} ilike ${like})`,
      )!,
    );
  }
  const soon = new Date(now.getTime() + EXPIRING_DAYS * DAY);
  if (filter?.status === "expired") conds.push(lt(mtlsCertificates.expiresOn, now));
  if (filter?.status === "expiring") conds.push(and(gte(mtlsCertificates.expiresOn, now), lt(mtlsCertificates.expiresOn, soon))!);
  if (filter?.status === "valid") conds.push(gte(mtlsCertificates.expiresOn, soon));
  return conds.length ? and(...conds) : undefined;
}

const listColumns = {
  id: mtlsCertificates.id,
  name: mtlsCertificates.name,
  fingerprint: mtlsCertificates.fingerprint,
  expiresOn: mtlsCertificates.expiresOn,
  createdAt: mtlsCertificates.createdAt,
  updatedAt: mtlsCertificates.updatedAt,
  version: mtlsCertificates.version,
};

/**
 * Parsed chain and CRL summaries by row version. A CRL summary lists up to a thousand revoked serials, so a
 * list page would otherwise fetch and parse every certificate's on each view; the key is the row's id and
 * its tuple version (xmin changes with every UPDATE, whoever makes it), so a changed row is read again.
 */
const DERIVED_MAX = 500;
/** The tuple's transaction id with the row's own version and update time (belt and braces). */
const rowVersionSql = sql<string>`${mtlsCertificates}.xmin::text || ':' || ${mtlsCertificates.version} || ':' || extract(epoch from ${mtlsCertificates.updatedAt})::text`;
const g = globalThis as { __portcullisCertDerived?: Map<string, Pick<DtoRow, "chain" | "crl">> };
const derived = (g.__portcullisCertDerived ??= new Map());
const derivedKey = (r: { id: string; rowVersion: string }) => `${r.id}:${r.rowVersion}`;

async function chainsAndCrls(db: DbOrTx, rows: { id: string; rowVersion: string }[]): Promise<Map<string, Pick<DtoRow, "chain" | "crl">>> {
  const out = new Map<string, Pick<DtoRow, "chain" | "crl">>();
  const missing: string[] = [];
  for (const r of rows) {
    const hit = derived.get(derivedKey(r));
    if (hit) out.set(r.id, hit);
    else missing.push(r.id);
  }
  if (!missing.length) return out;
  const fetched = await db
    .select({ id: mtlsCertificates.id, rowVersion: rowVersionSql, chain: mtlsCertificates.chain, crl: mtlsCertificates.crl })
    .from(mtlsCertificates)
    .where(inArray(mtlsCertificates.id, missing));
  for (const f of fetched) {
    const value = { chain: f.chain, crl: f.crl };
    out.set(f.id, value);
    derived.set(derivedKey(f), value);
    if (derived.size > DERIVED_MAX) derived.delete(derived.keys().next().value as string);
  }
  return out;
}

/**
 * One page of certificates by name with their hostnames and the filtered total in one statement (the total as
 * a window count; a page past the end falls back to a plain count), then the chain and CRL summaries of the
 * rows not already parsed at their current version.
 */
export async function listCertificates(
  opts: { page?: number; perPage?: number; filter?: CertificateFilter; now?: Date } = {},
): Promise<{ items: CertificateDto[]; total: number }> {
  const db = await getDb();
  const perPage = Math.min(Math.max(Math.trunc(opts.perPage ?? 50), 1), 1000);
  const page = Math.max(Math.trunc(opts.page ?? 1), 1);
  const where = filterWhere(opts.filter, opts.now ?? new Date());
  const rows = await db
    .select({
      ...listColumns,
      rowVersion: rowVersionSql,
      total: sql<number>`count(*) over ()`.mapWith(Number),
      hostnames: sql<string[]>`array(select ${certificateHostnames.hostname} from ${certificateHostnames}
        where ${certificateHostnames.certificateId} = ${mtlsCertificates.id}
        order by ${certificateHostnames.position}, ${certificateHostnames.hostname})`,
    })
    .from(mtlsCertificates)
    .where(where)
    .orderBy(asc(mtlsCertificates.name))
    .limit(perPage)
    .offset((page - 1) * perPage);
  const total = rows.length ? rows[0].total : page > 1 ? (await db.select({ n: count() }).from(mtlsCertificates).where(where))[0].n : 0;
  const extra = await chainsAndCrls(db, rows);
  // A row deleted between the two statements is left out.
  const items = rows.flatMap((r) => {
    const e = extra.get(r.id);
    return e ? [toDto({ ...r, ...e }, r.hostnames ?? [])] : [];
  });
  return { items, total };
}

export const isUuid = (id: unknown): id is string => typeof id === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

export async function getCertificate(id: string): Promise<CertificateDto | null> {
  if (!isUuid(id)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ ...listColumns, chain: mtlsCertificates.chain, crl: mtlsCertificates.crl })
    .from(mtlsCertificates)
    .where(eq(mtlsCertificates.id, id))
    .limit(1);
  if (!row) return null;
  return toDto(row, (await hostnamesOf(db, [row.id])).get(row.id) ?? []);
}

/** The stored PEM chain, for the Download PEM link only. */
export async function getCertificatePem(id: string): Promise<{ name: string; pem: string } | null> {
  if (!isUuid(id)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ name: mtlsCertificates.name, pem: mtlsCertificates.certificatePem })
    .from(mtlsCertificates)
    .where(eq(mtlsCertificates.id, id))
    .limit(1);
  return row ?? null;
}


/**
 * The SHA-256 fingerprints of every stored chain, by entry name (optionally without one entry): what
 * `duplicateCaWarning` compares an upload against. The chains are small summaries, so this reads one column.
 */
export async function knownChains(db?: DbOrTx, exceptId?: string): Promise<KnownChain[]> {
  const conn = db ?? (await getDb());
  const rows = await conn.select({ id: mtlsCertificates.id, name: mtlsCertificates.name, chain: mtlsCertificates.chain }).from(mtlsCertificates).orderBy(asc(mtlsCertificates.name));
  return rows
    .filter((r) => r.id !== exceptId)
    .map((r) => ({ name: r.name, sha256: ((r.chain as ChainMemberSummary[] | null) ?? []).map((c) => c.sha256Fingerprint).filter(Boolean) }));
}
