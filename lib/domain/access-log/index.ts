/**
 * Gateway access log: one row per decision. Writes are queued in memory and inserted in batches off the
 * request path (`recordAccess` never awaits the database); reads use keyset pagination on (at, id) so the
 * page stays fast with millions of rows.
 *
 * Each row keeps the normalised request path and the certificates the client presented (so Explain can replay the
 * request), the certificates by reference: their SHA-256 (leaf first) in `chain_sha256`, the DER once per certificate
 * in client_certificates_seen. A batch upserts only certificates this process has not written in the last
 * CERT_REFRESH_MS (a bounded in-memory map), in the same statement as the rows; retention relies on that refresh
 * interval to never delete a certificate a row being written still needs (lib/domain/retention).
 */
import { createHash } from "node:crypto";
import { and, desc, eq, gte, lt, lte, or, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { accessLog, accessLogHourly, unknownHostHourly } from "../../db/schema";

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
  /** The request path after normalisation (query included); absent when the request target was refused. */
  path?: string | null;
  /** The certificates the client presented, DER, leaf first (the gateway's Buffers; read, never written to). */
  chain?: readonly Uint8Array[] | null;
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
  path: string | null;
  /** SHA-256 (hex) of the certificates the client presented, leaf first; empty when none were. */
  chain_sha256: string[];
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

/** Longest path kept (a request target is bounded by the HTTP parser's header limit anyway). */
export const MAX_LOGGED_PATH = 4096;
/** Most certificates kept per row (real client chains have 1–4). */
export const MAX_LOGGED_CHAIN = 16;
/** A certificate this process wrote less than this long ago is not written again (its last_seen is that recent). */
export const CERT_REFRESH_MS = 10 * 60_000;
/** Certificates remembered as recently written (beyond it, the oldest are forgotten and simply written again). */
const RECENT_CERTS = 20_000;

interface CertMemo {
  /** SHA-256 hex → when this process last wrote it (insertion order = write order) */
  written: Map<string, number>;
  /** per DER object: its SHA-256 hex (a keep-alive connection's chain is hashed once, not per request) */
  hashes: WeakMap<object, string>;
}
const gc = globalThis as { __portcullisSeenCerts?: CertMemo };
const certs = (gc.__portcullisSeenCerts ??= { written: new Map(), hashes: new WeakMap() });

function sha256Hex(der: Uint8Array): string {
  let h = certs.hashes.get(der);
  if (!h) {
    h = createHash("sha256").update(der).digest("hex");
    certs.hashes.set(der, h);
  }
  return h;
}

/** Forget what this process wrote (tests that empty the table call it). */
export function forgetWrittenCertificates(): void {
  certs.written.clear();
}

/** Queue one decision; returns at once. */
export function recordAccess(entry: AccessLogEntry): void {
  if (q.rows.length >= MAX_QUEUE) {
    q.dropped++;
    return;
  }
  const chain = entry.chain?.length ? (entry.chain.length > MAX_LOGGED_CHAIN ? entry.chain.slice(0, MAX_LOGGED_CHAIN) : entry.chain) : null;
  q.rows.push({
    ...entry,
    reason: clip(entry.reason, 1000),
    clientCn: clip(entry.clientCn, 500),
    hostname: entry.hostname.slice(0, 253),
    path: clip(entry.path ?? null, MAX_LOGGED_PATH),
    chain,
  });
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
  const t = (s: string | null | undefined) => (s && s.includes("\0") ? s.replaceAll("\0", "") : (s ?? null));
  const now = Date.now();
  // Certificates to (re)write: not written by this process within CERT_REFRESH_MS; each once per batch.
  const fresh = new Map<string, Uint8Array>();
  const rows = JSON.stringify(
    batch.map((e) => {
      let chain: string[] | null = null;
      if (e.chain?.length) {
        chain = e.chain.map((der) => {
          const h = sha256Hex(der);
          if (!fresh.has(h)) {
            const written = certs.written.get(h);
            if (written === undefined || now - written >= CERT_REFRESH_MS) fresh.set(h, der);
          }
          return h;
        });
      }
      return {
        at: e.at, hostname: t(e.hostname), application_id: e.applicationId, application_name: t(e.applicationName), client_cn: t(e.clientCn),
        serial_number: t(e.serialNumber), decision: e.decision, policy_id: e.policyId, policy_name: t(e.policyName), reason: t(e.reason), ip: t(e.ip),
        path: t(e.path), chain_sha256: chain,
      };
    }),
  );
  const seen = JSON.stringify([...fresh].map(([sha256, der]) => ({ sha256, der: Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64") })));
  // One statement: the certificates land with the rows that reference them, or neither does.
  await db.execute(sql`with seen as (
      insert into client_certificates_seen as c (sha256, der, first_seen, last_seen)
      select sha256, decode(der, 'base64'), ${new Date(now)}, ${new Date(now)} from json_to_recordset(${seen}::json) as s(sha256 text, der text)
      on conflict (sha256) do update set last_seen = greatest(c.last_seen, excluded.last_seen)
      returning 1
    )
    insert into access_log (at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip, path, chain_sha256)
    select at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip, path, chain_sha256
    from json_to_recordset(${rows}::json) as x(at timestamptz, hostname text, application_id uuid, application_name text, client_cn text,
      serial_number text, decision text, policy_id uuid, policy_name text, reason text, ip text, path text, chain_sha256 text[])`);
  for (const h of fresh.keys()) {
    certs.written.delete(h);
    certs.written.set(h, now);
  }
  while (certs.written.size > RECENT_CERTS) certs.written.delete(certs.written.keys().next().value as string);
}

/** Insert everything queued so far, and the unknown-host counts (tests and shutdown await it). */
export async function flushAccessLog(): Promise<void> {
  await flushUnknownHosts();
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
    path: r.path,
    chain_sha256: r.chainSha256 ?? [],
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

/**
 * Requests for hostnames that no certificate or application knows (random Host headers): counted per UTC hour in
 * unknown_host_hourly instead of one access-log row each, so a flood of them neither fills the log nor costs a
 * database write per request. Counts are kept in memory and added to the hour's row in one statement per flush.
 */
interface UnknownCounts {
  /** UTC hour (ms since epoch) → requests counted and the last hostname seen */
  hours: Map<number, { requests: number; sample: string }>;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
}
const gu = globalThis as { __portcullisUnknownHosts?: UnknownCounts };
const u = (gu.__portcullisUnknownHosts ??= { hours: new Map(), timer: null, flushing: null });
const UNKNOWN_FLUSH_MS = 1000;

/** The UTC hour containing `ms`, as ms since the epoch. */
export const utcHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Count `requests` requests for unknown hostnames in the hour of `at` (`sample` = one of the hostnames); returns at once. */
export function recordUnknownHost(sample: string, at: number = Date.now(), requests = 1): void {
  if (!(requests > 0)) return;
  const hour = utcHour(at);
  const clipped = sample.slice(0, 253);
  const c = u.hours.get(hour);
  if (c) {
    c.requests += requests;
    c.sample = clipped;
  } else u.hours.set(hour, { requests, sample: clipped });
  if (!u.timer) {
    u.timer = setTimeout(() => void flushUnknownHosts(), UNKNOWN_FLUSH_MS);
    u.timer.unref();
  }
}

/** Add the counted requests to unknown_host_hourly. */
export async function flushUnknownHosts(): Promise<void> {
  if (u.timer) {
    clearTimeout(u.timer);
    u.timer = null;
  }
  while (u.flushing) await u.flushing;
  if (!u.hours.size) return;
  const pending = u.hours;
  u.hours = new Map();
  u.flushing = (async () => {
    const rows = JSON.stringify([...pending].map(([hour, c]) => ({ hour: new Date(hour), requests: c.requests, sample: c.sample.replaceAll("\0", "") })));
    try {
      const db = await getDb();
      await db.execute(sql`insert into ${unknownHostHourly} (hour, requests, sample)
        select hour, requests, sample from json_to_recordset(${rows}::json) as x(hour timestamptz, requests bigint, sample text)
        on conflict (hour) do update set requests = ${unknownHostHourly}.requests + excluded.requests, sample = excluded.sample`);
    } catch (e) {
      // Keep the counts for the next attempt (a handful of numbers, one per hour).
      for (const [hour, c] of pending) {
        const now = u.hours.get(hour);
        if (now) now.requests += c.requests;
        else u.hours.set(hour, c);
      }
      console.error("[access-log] unknown-host counts not written:", (e as Error).message);
      if (!u.timer) {
        u.timer = setTimeout(() => void flushUnknownHosts(), 2000);
        u.timer.unref();
      }
    }
  })().finally(() => {
    u.flushing = null;
  });
  await u.flushing;
}

/** Requests for unknown hostnames per UTC hour, newest first. */
export async function listUnknownHostHours(limit = 48): Promise<{ hour: string; requests: number; sample: string | null }[]> {
  const db = await getDb();
  const rows = await db.select().from(unknownHostHourly).orderBy(desc(unknownHostHourly.hour)).limit(limit);
  return rows.map((r) => ({ hour: r.hour.toISOString(), requests: Number(r.requests), sample: r.sample }));
}
