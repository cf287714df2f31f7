/**
 * Gateway access log: one row per decision. Writes are queued in memory and inserted in batches off the
 * request path (`recordAccess` never awaits the database); reads use keyset pagination on (at, id) so the
 * page stays fast with millions of rows.
 */
import { and, desc, eq, gte, lt, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../db/client";
import { accessLog, accessLogHourly } from "../db/schema";

export interface AccessLogEntry {
  at: Date;
  hostname: string;
  applicationId: string | null;
  applicationName: string | null;
  clientCn: string | null;
  serialNumber: string | null;
  decision: "allow" | "deny";
  policyId: string | null;
  policyName: string | null;
  reason: string | null;
  ip: string | null;
}

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
}

const BATCH = 2000;
const FLUSH_MS = 250;
/** Beyond this many queued rows (database down), new rows are dropped and counted. */
const MAX_QUEUE = 50_000;

interface Queue {
  rows: AccessLogEntry[];
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
  dropped: number;
}
const g = globalThis as { __portcullisAccessLog?: Queue };
const q = (g.__portcullisAccessLog ??= { rows: [], timer: null, flushing: null, dropped: 0 });

const clip = (s: string | null, n: number) => (s && s.length > n ? s.slice(0, n) : s);

/** Queue one decision; returns at once. */
export function recordAccess(entry: AccessLogEntry): void {
  if (q.rows.length >= MAX_QUEUE) {
    q.dropped++;
    return;
  }
  q.rows.push({ ...entry, reason: clip(entry.reason, 1000), clientCn: clip(entry.clientCn, 500), hostname: entry.hostname.slice(0, 253) });
  if (q.rows.length >= BATCH) void flushAccessLog();
  else if (!q.timer) {
    q.timer = setTimeout(() => void flushAccessLog(), FLUSH_MS);
    q.timer.unref();
  }
}

/**
 * One statement per batch with the rows as a single JSON parameter: building a 500-row × 11-column insert with the
 * query builder cost more CPU than the gateway's request handling itself.
 */
async function insertBatch(db: Awaited<ReturnType<typeof getDb>>, batch: AccessLogEntry[]): Promise<void> {
  // PostgreSQL text cannot hold NUL (a certificate's CN could): drop it rather than fail the whole batch.
  const t = (s: string | null) => (s && s.includes("\0") ? s.replaceAll("\0", "") : s);
  const rows = JSON.stringify(
    batch.map((e) => ({
      at: e.at, hostname: t(e.hostname), application_id: e.applicationId, application_name: t(e.applicationName), client_cn: t(e.clientCn),
      serial_number: t(e.serialNumber), decision: e.decision, policy_id: e.policyId, policy_name: t(e.policyName), reason: t(e.reason), ip: t(e.ip),
    })),
  );
  await db.execute(sql`insert into access_log (at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip)
    select at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip
    from json_to_recordset(${rows}::json) as x(at timestamptz, hostname text, application_id uuid, application_name text, client_cn text,
      serial_number text, decision text, policy_id uuid, policy_name text, reason text, ip text)`);
}

/** Insert everything queued so far (tests and shutdown await it). */
export async function flushAccessLog(): Promise<void> {
  if (q.timer) {
    clearTimeout(q.timer);
    q.timer = null;
  }
  while (q.flushing) await q.flushing;
  if (!q.rows.length) return;
  q.flushing = (async () => {
    const db = await getDb();
    while (q.rows.length) {
      const batch = q.rows.splice(0, BATCH);
      try {
        await insertBatch(db, batch);
      } catch (e) {
        // Keep the rows for the next attempt unless the queue is full.
        if (q.rows.length + batch.length <= MAX_QUEUE) q.rows.unshift(...batch);
        else q.dropped += batch.length;
        console.error("[access-log] insert failed:", (e as Error).message);
        if (!q.timer) {
          q.timer = setTimeout(() => void flushAccessLog(), 2000);
          q.timer.unref();
        }
        return;
      }
    }
    if (q.dropped) {
      console.error(`[access-log] ${q.dropped} entries were dropped while the database was unavailable`);
      q.dropped = 0;
    }
  })().finally(() => {
    q.flushing = null;
  });
  await q.flushing;
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
  };
}

/** Newest first, `limit` rows after the cursor; `next` is the cursor of the following page or null. */
export async function listAccessLog(
  filter: AccessLogFilter,
  limit = ACCESS_LOG_PAGE_SIZE,
): Promise<{ items: AccessLogDto[]; next: string | null }> {
  const db = await getDb();
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
      conds.push(or(lt(accessLog.at, at), and(eq(accessLog.at, at), lt(accessLog.id, id)))!);
    }
  }
  const rows = await db
    .select()
    .from(accessLog)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(accessLog.at), desc(accessLog.id))
    .limit(limit + 1);
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
        count(*) filter (where ${accessLog.decision} = 'allow'), count(*) filter (where ${accessLog.decision} = 'deny')
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
