/**
 * Gateway access log: one row per decision (written in batches by ./write; identical requests of the same second
 * share one row and its `requests` count, ./fold), read with keyset pagination on (at, id)
 * so the page stays fast with millions of rows; requests for unknown hostnames are counted per hour (./unknown-hosts).
 */
import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { accessLog, accessLogHourly } from "../../db/schema";

export { CERT_REFRESH_MS, MAX_LOGGED_CHAIN, MAX_LOGGED_PATH, flushAccessLog, forgetWrittenCertificates, recordAccess, recordAccessLines, type AccessLogEntry } from "./write";
export { accessLogLine, chainLiteral, loggedChain, sha256Hex } from "./line";
export { flushUnknownHosts, listUnknownHostHours, recordUnknownHost, utcHour } from "./unknown-hosts";

export interface AccessLogDto {
  id: number;
  at: string;
  hostname: string;
  application_id: string | null;
  application_name: string | null;
  client_cn: string | null;
  serial_number: string | null;
  decision: "allow" | "deny";
  policy_id: string | null;
  policy_name: string | null;
  reason: string | null;
  ip: string | null;
  path: string | null;
  /** SHA-256 (hex) of the certificates the client presented, leaf first; empty when none were. */
  chain_sha256: string[];
  /** How many identical requests of the same second this row stands for (./fold); `at` is the first one's time. */
  requests: number;
}


const dateSchema = z
  .string()
  .optional()
  .transform((v) => v?.trim() || undefined)
  .refine((v) => v === undefined || (/^\d{4}-\d{2}-\d{2}$/.test(v) && !Number.isNaN(Date.parse(`${v}T00:00:00Z`))), "Enter a date as YYYY-MM-DD");

export const accessLogFilterSchema = z.object({
  hostname: z
    .string()
    .optional()
    .transform((v) => v?.trim().toLowerCase() || undefined),
  decision: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || v === "allow" || v === "deny", "Decision must be Allowed or Blocked"),
  date: dateSchema,
  /** keyset cursor "<iso time>_<id>": rows strictly older than it */
  before: z
    .string()
    .optional()
    .transform((v) => v || undefined)
    .refine((v) => v === undefined || /^[0-9TZ:.\-+]+_\d+$/.test(v), "Invalid page cursor"),
});
export type AccessLogFilter = Partial<z.infer<typeof accessLogFilterSchema>>;

export const ACCESS_LOG_PAGE_SIZE = 50;

function toDto(r: typeof accessLog.$inferSelect): AccessLogDto {
  return {
    id: r.id,
    at: r.at.toISOString(),
    hostname: r.hostname,
    application_id: r.applicationId,
    application_name: r.applicationName,
    client_cn: r.clientCn,
    serial_number: r.serialNumber,
    decision: r.decision,
    policy_id: r.policyId,
    policy_name: r.policyName,
    reason: r.reason,
    ip: r.ip,
    path: r.path,
    chain_sha256: r.chainSha256 ?? [],
    requests: r.requests,
  };
}

/**
 * The statement behind one page: `limit` rows after the cursor, newest first (exported so tests can EXPLAIN exactly
 * what the page runs).
 */
export function accessLogPageQuery(db: Awaited<ReturnType<typeof getDb>>, filter: AccessLogFilter, limit: number) {
  const conds: SQL[] = [];
  if (filter.hostname) conds.push(eq(accessLog.hostname, filter.hostname));
  if (filter.decision === "allow" || filter.decision === "deny") conds.push(eq(accessLog.decision, filter.decision));
  if (filter.date) {
    const from = new Date(`${filter.date}T00:00:00Z`);
    conds.push(gte(accessLog.at, from), lt(accessLog.at, new Date(from.getTime() + 86_400_000)));
  }
  if (filter.before) {
    const i = filter.before.lastIndexOf("_");
    const at = new Date(filter.before.slice(0, i));
    const id = Number(filter.before.slice(i + 1));
    if (!Number.isNaN(at.getTime()) && Number.isSafeInteger(id)) {
      // `at <= cursor` is implied by the OR, but only a plain range lets the planner start the index scan at the
      // cursor: without it, a page deep in a 10M-row log walked every newer row and filtered it out (6 s).
      conds.push(lte(accessLog.at, at), or(lt(accessLog.at, at), and(eq(accessLog.at, at), lt(accessLog.id, id)))!);
    }
  }
  return db
    .select()
    .from(accessLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(accessLog.at), desc(accessLog.id))
    .limit(limit);
}

/** Newest first, `limit` rows after the cursor; `next` is the cursor of the following page or null. */
export async function listAccessLog(
  filter: AccessLogFilter,
  limit = ACCESS_LOG_PAGE_SIZE,
): Promise<{ items: AccessLogDto[]; next: string | null }> {
  const rows = await accessLogPageQuery(await getDb(), filter, limit + 1);
  const items = rows.slice(0, limit).map(toDto);
  const last = items[items.length - 1];
  return { items, next: rows.length > limit && last ? `${last.at}_${last.id}` : null };
}

/** Hostnames seen in the log (for the filter), from the index. */
export async function accessLogHostnames(limit = 200): Promise<string[]> {
  const db = await getDb();
  const res = (await db.execute(sql`
    with recursive h(hostname) as (
      (select hostname from access_log order by hostname limit 1)
      union all
      select (select a.hostname from access_log a where a.hostname > h.hostname order by a.hostname limit 1) from h where h.hostname is not null
    )
    select hostname from h where hostname is not null limit ${limit}`)) as unknown as { rows: { hostname: string }[] };
  return res.rows.map((r) => r.hostname);
}

export interface AccessSummaryRow {
  application: string;
  allowed: number;
  blocked: number;
}

const HOUR_MS = 3_600_000;

/**
 * Allowed/blocked decisions per application over the last `hours` hours (Overview chart), by application
 * name ("(no application)" for decisions without one), ordered by name. Whole UTC hours come from the
 * access_log_hourly roll-up (kept in step by triggers on access_log); only the part of the oldest hour
 * that falls inside the window is counted from access_log itself (an index range scan of under an hour).
 */
export async function accessSummary(hours = 24, now = new Date()): Promise<AccessSummaryRow[]> {
  const db = await getDb();
  const since = new Date(now.getTime() - hours * HOUR_MS);
  const firstWholeHour = new Date(Math.ceil(since.getTime() / HOUR_MS) * HOUR_MS);
  const res = await db.execute<{ application: string; allowed: string | number; blocked: string | number }>(sql`
    select application, sum(allowed) as allowed, sum(blocked) as blocked from (
      select ${accessLogHourly.applicationName} as application, ${accessLogHourly.allowed} as allowed, ${accessLogHourly.blocked} as blocked
      from ${accessLogHourly}
      where ${accessLogHourly.hour} >= ${firstWholeHour}
      union all
      select coalesce(${accessLog.applicationName}, '(no application)'),
        coalesce(sum(${accessLog.requests}) filter (where ${accessLog.decision} = 'allow'), 0), coalesce(sum(${accessLog.requests}) filter (where ${accessLog.decision} = 'deny'), 0)
      from ${accessLog}
      where ${accessLog.at} >= ${since} and ${accessLog.at} < ${firstWholeHour}
      group by 1
    ) parts
    group by application
    having sum(allowed) + sum(blocked) > 0
    order by application`);
  return (res as unknown as { rows: { application: string; allowed: string | number; blocked: string | number }[] }).rows.map((r) => ({
    application: r.application,
    allowed: Number(r.allowed),
    blocked: Number(r.blocked),
  }));
}
