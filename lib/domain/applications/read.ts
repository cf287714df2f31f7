/** Reading applications with their policies and login methods: the list, one application, a hostname's for the gateway. */
import { and, asc, count, eq, inArray, or, sql, type SQL } from "drizzle-orm";
import { getDb, type DbOrTx } from "../../db/client";
import { applicationPolicies, applications, policies } from "../../db/schema";
import { loginMethodIdsOf } from "../login-methods/applications";
import { isUuid, policyAppCountSql, toPolicyDto, type ListOptions } from "../policies";
import { toDto, type AppPolicyDto, type ApplicationDto, type ApplicationForGateway, type AppRow } from "./dto";

/** Each application's policies in precedence order, in one statement (links joined to their policies). */
async function linksOf(db: DbOrTx, appIds: string[]): Promise<Map<string, AppPolicyDto[]>> {
  const out = new Map<string, AppPolicyDto[]>();
  if (appIds.length === 0) return out;
  const rows = await db
    .select({ applicationId: applicationPolicies.applicationId, precedence: applicationPolicies.precedence, p: policies, n: policyAppCountSql })
    .from(applicationPolicies)
    .innerJoin(policies, eq(policies.id, applicationPolicies.policyId))
    .where(inArray(applicationPolicies.applicationId, appIds))
    .orderBy(asc(applicationPolicies.precedence));
  for (const r of rows) {
    const list = out.get(r.applicationId) ?? [];
    list.push({ ...toPolicyDto(r.p, r.n), precedence: r.precedence });
    out.set(r.applicationId, list);
  }
  return out;
}

export async function withPolicies(db: DbOrTx, rows: AppRow[]): Promise<ApplicationDto[]> {
  const ids = rows.map((r) => r.id);
  const links = await linksOf(db, ids);
  const idps = await loginMethodIdsOf(db, ids);
  return rows.map((r) => toDto(r, links.get(r.id) ?? [], idps.get(r.id) ?? []));
}

export interface ApplicationListOptions extends ListOptions {
  /** exact filters, as Cloudflare's list query (`aud`, `domain`, `name`) */
  aud?: string;
  domain?: string;
  name?: string;
}

export async function listApplications(opts: ApplicationListOptions = {}): Promise<{ items: ApplicationDto[]; total: number }> {
  const db = await getDb();
  const conds: SQL[] = [];
  if (opts.aud) conds.push(eq(applications.aud, opts.aud.toLowerCase()));
  if (opts.domain) conds.push(eq(applications.domain, opts.domain.toLowerCase()));
  if (opts.name) conds.push(eq(applications.name, opts.name));
  const where = conds.length ? and(...conds) : undefined;
  const page = Number.isInteger(opts.page) && (opts.page as number) > 0 ? (opts.page as number) : 1;
  // The total as a window count over the filtered rows: one statement for the page and its total.
  const q = db
    .select({ row: applications, total: sql<number>`count(*) over ()`.mapWith(Number) })
    .from(applications)
    .where(where)
    .orderBy(asc(applications.name), asc(applications.createdAt), asc(applications.id));
  let rows: { row: AppRow; total: number }[];
  let total: number;
  if (opts.perPage === undefined) {
    rows = await q;
    total = rows.length;
  } else {
    const per = Math.min(1000, Math.max(1, Math.trunc(opts.perPage) || 1));
    rows = await q.limit(per).offset((page - 1) * per);
    // A page past the end has no row to carry the total.
    total = rows.length ? rows[0].total : page > 1 ? (await db.select({ total: count() }).from(applications).where(where))[0].total : 0;
  }
  return { items: await withPolicies(db, rows.map((r) => r.row)), total };
}

export async function getApplication(id: string): Promise<ApplicationDto | null> {
  const db = await getDb();
  const cond = isUuid(id) ? eq(applications.id, id) : /^[0-9a-f]{64}$/i.test(id) ? eq(applications.aud, id.toLowerCase()) : null;
  if (!cond) return null;
  const [row] = await db.select().from(applications).where(cond).limit(1);
  return row ? (await withPolicies(db, [row]))[0] : null;
}

/**
 * Applications that protect `hostname` (exact host, or a wildcard `*.parent` covering it), most specific
 * first (exact before wildcard, longer path first), each with its policies in precedence order.
 */
export async function applicationsForHostname(hostname: string, db?: DbOrTx): Promise<ApplicationForGateway[]> {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "");
  if (!host) return [];
  const labels = host.split(".");
  const wildcards = labels.slice(1, -1).map((_, i) => `*.${labels.slice(i + 1).join(".")}`);
  const conn = db ?? (await getDb());
  const rows = await conn
    .select()
    .from(applications)
    .where(wildcards.length ? or(eq(applications.hostname, host), inArray(applications.hostname, wildcards)) : eq(applications.hostname, host));
  const links = await linksOf(conn, rows.map((r) => r.id));
  const idps = await loginMethodIdsOf(conn, rows.map((r) => r.id));
  const spec = (r: AppRow) => (r.hostname.startsWith("*.") ? 0 : 1_000_000) + r.hostname.length * 1000 + r.path.length;
  return rows
    .sort((a, b) => spec(b) - spec(a) || a.createdAt.getTime() - b.createdAt.getTime())
    .map((r) => ({
      id: r.id,
      aud: r.aud,
      name: r.name,
      domain: r.domain,
      hostname: r.hostname,
      path: r.path,
      session_duration: r.sessionDuration,
      origin_url: r.originUrl ?? null,
      policies: (links.get(r.id) ?? []).map((p) => ({ id: p.id, name: p.name, decision: p.decision, include: p.include, require: p.require, exclude: p.exclude, precedence: p.precedence })),
      allowed_idps: idps.get(r.id) ?? [],
    }));
}
