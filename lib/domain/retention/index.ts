/**
 * Log retention (issue #12, finding 11): the access log and the audit log each keep at most `maxAgeDays` days and
 * `maxRows` rows (settings key "retention"; 90 days and 1,000,000 rows by default). The scheduler prunes on start
 * and every hour (lib/server/scheduler.ts).
 *
 * Pruning deletes in batches of `batchSize` rows, one short statement each, oldest first, so a big backlog never
 * holds locks on a log for long and gateway inserts interleave with it.
 *
 * The Overview chart reads access_log_hourly, which statement triggers on access_log keep in step (drizzle/0001):
 * a DELETE on access_log subtracts the deleted rows from their hours. Retention must not rewrite history that way —
 * rows pruned by the row limit may lie inside the chart's window — so each batch adds its own counts back in the same
 * statement, and the roll-up rows themselves (and unknown_host_hourly's) are pruned by age instead: an hour goes
 * once all of it is older than the access log's age limit.
 *
 * Pruning the audit log records one "audit.retention_pruned" event (actor system) with the counts, and leaves room
 * for it: the audit log holds at most `maxRows` rows afterwards, that event included.
 *
 * Client certificates (client_certificates_seen, referenced by access_log.chain_sha256) go once no access-log row
 * references them. The writer skips certificates it wrote less than CERT_REFRESH_MS ago, so a certificate last seen
 * (by the real clock) within CERT_GRACE_MS may be referenced by a row still being written and is never deleted; and
 * a row referencing a certificate is at most CERT_REFRESH_MS younger than the certificate's last_seen, so only rows
 * up to that bound are read to find the references (not the whole log).
 */
import { sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { writeAudit } from "../audit/record";
import { getDb, type Db, type DbOrTx } from "../../db/client";
import { getSetting, setSetting } from "../../db/settings";
import { CERT_REFRESH_MS } from "../access-log";
import { SYSTEM_ACTOR, type Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

export const RETENTION_KEY = "retention";
export const MIN_DAYS = 1;
export const MAX_DAYS = 3650;
export const MIN_ROWS = 1_000;
export const MAX_ROWS = 100_000_000;
export const DEFAULT_BATCH_SIZE = 5_000;

export interface LogRetention {
  maxAgeDays: number;
  maxRows: number;
}

export interface RetentionSettings {
  accessLog: LogRetention;
  auditLog: LogRetention;
}

export const DEFAULT_RETENTION: RetentionSettings = {
  accessLog: { maxAgeDays: 90, maxRows: 1_000_000 },
  auditLog: { maxAgeDays: 90, maxRows: 1_000_000 },
};

const grouped = (n: number) => n.toLocaleString("en-US");

/** A whole number typed into a form: digits, optionally grouped with commas, spaces or underscores. */
function wholeNumber(label: string, min: number, max: number, unit: string) {
  const range = `${label} must be between ${grouped(min)} and ${grouped(max)}${unit}`;
  return z
    .union([z.string(), z.number()], { error: `${label} is required` })
    .transform((v, ctx) => {
      const s = String(v).trim().replace(/[,_\s]/g, "");
      if (s === "") {
        ctx.addIssue({ code: "custom", message: `${label} is required` });
        return z.NEVER;
      }
      if (!/^\d+$/.test(s)) {
        ctx.addIssue({ code: "custom", message: `${label} must be a whole number (digits only, e.g. ${grouped(min === MIN_DAYS ? 90 : 1_000_000)})` });
        return z.NEVER;
      }
      const n = Number(s);
      if (n < min || n > max) {
        ctx.addIssue({ code: "custom", message: range });
        return z.NEVER;
      }
      return n;
    });
}

/** The form's fields (names as in the Settings form and `saveRetentionSettings` input). */
export const retentionInputSchema = z.object({
  accessLogDays: wholeNumber("Access log: days to keep", MIN_DAYS, MAX_DAYS, " days"),
  accessLogMaxRows: wholeNumber("Access log: maximum rows", MIN_ROWS, MAX_ROWS, " rows"),
  auditLogDays: wholeNumber("Audit log: days to keep", MIN_DAYS, MAX_DAYS, " days"),
  auditLogMaxRows: wholeNumber("Audit log: maximum rows", MIN_ROWS, MAX_ROWS, " rows"),
});

function storedLog(v: unknown, fallback: LogRetention): LogRetention {
  const o = (v ?? {}) as Partial<Record<keyof LogRetention, unknown>>;
  const pick = (x: unknown, min: number, max: number, d: number) => (Number.isInteger(x) && (x as number) >= min && (x as number) <= max ? (x as number) : d);
  return { maxAgeDays: pick(o.maxAgeDays, MIN_DAYS, MAX_DAYS, fallback.maxAgeDays), maxRows: pick(o.maxRows, MIN_ROWS, MAX_ROWS, fallback.maxRows) };
}

/** The stored settings, field by field falling back to the defaults (a hand-edited value never disables pruning). */
export async function getRetentionSettings(db?: DbOrTx): Promise<RetentionSettings> {
  const stored = await getSetting<Partial<Record<keyof RetentionSettings, unknown>>>(db ?? (await getDb()), RETENTION_KEY);
  return { accessLog: storedLog(stored?.accessLog, DEFAULT_RETENTION.accessLog), auditLog: storedLog(stored?.auditLog, DEFAULT_RETENTION.auditLog) };
}

/** Admins only; validated, stored and audited ("settings.retention.update"). Pruning follows on the next run. */
export async function saveRetentionSettings(actor: Actor, input: unknown): Promise<Result<RetentionSettings>> {
  const parsed = retentionInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the retention settings.", fieldErrors);
  }
  const d = parsed.data;
  const next: RetentionSettings = {
    accessLog: { maxAgeDays: d.accessLogDays, maxRows: d.accessLogMaxRows },
    auditLog: { maxAgeDays: d.auditLogDays, maxRows: d.auditLogMaxRows },
  };
  return mutate(actor, async (tx, audit) => {
    const before = await getRetentionSettings(tx);
    await setSetting(tx, RETENTION_KEY, next);
    await audit({ action: "settings.retention.update", resourceType: "settings", resourceId: RETENTION_KEY, before, after: next });
    return ok(next);
  });
}

export interface PruneCounts {
  byAge: number;
  byRowLimit: number;
}

export interface PruneReport {
  accessLog: PruneCounts;
  auditLog: PruneCounts;
  accessLogHourly: number;
  unknownHostHourly: number;
  /** client certificates deleted because no access-log row references them any more */
  clientCertificates: number;
}

/** A certificate last seen this recently is never deleted (longer than the writer's refresh interval). */
export const CERT_GRACE_MS = 60 * 60_000;
/** Clock and queueing slack between a row's time and its certificate's last_seen. */
const CERT_SLACK_MS = 5 * 60_000;

export interface PruneOptions {
  now?: Date;
  batchSize?: number;
  /** primary-key entries per edge-finding statement (tests make it small) */
  edgeStep?: number;
  settings?: RetentionSettings;
}

type Rows<T> = { rows: T[] };

async function rows<T>(db: Db, q: SQL): Promise<T[]> {
  return ((await db.execute(q)) as unknown as Rows<T>).rows;
}

/** Let other work (gateway inserts, requests on PGlite's single connection) run between batches. */
const pause = () => new Promise<void>((r) => setImmediate(r));

/** Deletes one batch of access_log rows chosen by `doomed` (a select of ids), keeping the hourly roll-up intact. */
function accessLogBatch(doomed: SQL): SQL {
  return sql`with doomed as (${doomed}),
    gone as (delete from access_log a using doomed d where a.id = d.id returning a.at, a.application_name, a.decision, a.requests),
    restored as (
      insert into access_log_hourly as h (hour, application_name, allowed, blocked)
      select date_trunc('hour', at at time zone 'UTC') at time zone 'UTC', coalesce(application_name, '(no application)'),
        coalesce(sum(requests) filter (where decision = 'allow'), 0), coalesce(sum(requests) filter (where decision = 'deny'), 0)
      from gone group by 1, 2 order by 1, 2
      on conflict (hour, application_name) do update set allowed = h.allowed + excluded.allowed, blocked = h.blocked + excluded.blocked
    )
    select count(*)::int as n from gone`;
}

function auditLogBatch(doomed: SQL): SQL {
  return sql`with doomed as (${doomed}),
    gone as (delete from audit_events a using doomed d where a.id = d.id returning a.id)
    select count(*)::int as n from gone`;
}

async function untilDone(db: Db, batch: () => SQL, batchSize: number): Promise<number> {
  let total = 0;
  for (;;) {
    const [{ n }] = await rows<{ n: number }>(db, batch());
    total += n;
    if (n < batchSize) return total;
    await pause();
  }
}

type LogTable = "access_log" | "audit_events";

/** Primary-key entries one edge-finding statement walks past (well under a second, far from the pool's timeout). */
export const DEFAULT_EDGE_STEP = 500_000;

/**
 * The id of the newest row beyond the newest `keep` (null: there are not that many), found `step` index entries at
 * a time down the primary key: one `offset keep` over a 10M-row log took 5–12 s in a single statement, past the
 * pool's statement timeout on a busy machine, so the row limit was never applied. Rows inserted meanwhile have
 * higher ids and do not move the walk.
 */
async function rowLimitEdge(db: Db, t: SQL, keep: number, step: number): Promise<string | null> {
  let below: string | null = null;
  for (let left = keep; ; left -= step) {
    const under: SQL = below === null ? sql`` : sql`where id < ${below}`;
    // The last step lands on the edge itself (offset `left`); the others on the step's last entry.
    const last = left <= step;
    // Not aliased `id`: ORDER BY would then sort the text.
    const [r]: { edge: string }[] = await rows<{ edge: string }>(db, sql`select id::text as edge from ${t} ${under} order by id desc offset ${last ? left : step - 1} limit 1`);
    if (!r || last) return r?.edge ?? null;
    below = r.edge;
    await pause();
  }
}

/** Prune one log: rows older than the age limit, then the oldest rows beyond `keep`. */
async function pruneLog(db: Db, table: LogTable, cutoff: Date, keep: number, batchSize: number, edgeStep: number): Promise<PruneCounts> {
  const t = sql.raw(table);
  const wrap = table === "access_log" ? accessLogBatch : auditLogBatch;
  const byAge = await untilDone(db, () => wrap(sql`select id from ${t} where at < ${cutoff.toISOString()} limit ${batchSize}`), batchSize);
  // The id range bounds the row count from above: most runs stop here without counting the table.
  const [range] = await rows<{ lo: string | null; hi: string | null }>(db, sql`select min(id)::text as lo, max(id)::text as hi from ${t}`);
  if (range.lo === null || range.hi === null || BigInt(range.hi) - BigInt(range.lo) + 1n <= BigInt(keep)) return { byAge, byRowLimit: 0 };
  // ids grow with insertion: the newest `keep` rows stay, everything at or below the boundary goes.
  const edge = await rowLimitEdge(db, t, keep, edgeStep);
  if (edge === null) return { byAge, byRowLimit: 0 };
  const byRowLimit = await untilDone(db, () => wrap(sql`select id from ${t} where id <= ${edge} order by id limit ${batchSize}`), batchSize);
  return { byAge, byRowLimit };
}

/** Apply the retention settings once. Never deletes more than the settings ask; safe to run concurrently with writes. */
export async function pruneLogs(opts: PruneOptions = {}): Promise<PruneReport> {
  const db = await getDb();
  const now = opts.now ?? new Date();
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH_SIZE));
  const edgeStep = Math.max(1, Math.floor(opts.edgeStep ?? DEFAULT_EDGE_STEP));
  const s = opts.settings ?? (await getRetentionSettings(db));
  const ageCutoff = (days: number) => new Date(now.getTime() - days * 86_400_000);

  const accessCutoff = ageCutoff(s.accessLog.maxAgeDays);
  const accessLog = await pruneLog(db, "access_log", accessCutoff, s.accessLog.maxRows, batchSize, edgeStep);
  // An hour [h, h+1h) goes once all of it is older than the cutoff.
  const lastWholeHour = new Date(accessCutoff.getTime() - 3_600_000).toISOString();
  const [hourly] = await rows<{ n: number }>(db, sql`with gone as (delete from access_log_hourly where hour <= ${lastWholeHour} returning 1) select count(*)::int as n from gone`);
  const [unknown] = await rows<{ n: number }>(db, sql`with gone as (delete from unknown_host_hourly where hour <= ${lastWholeHour} returning 1) select count(*)::int as n from gone`);
  const [certs] = await rows<{ n: number }>(db, unreferencedCertificates(new Date(Math.min(now.getTime(), Date.now()) - CERT_GRACE_MS)));

  const auditLimits = s.auditLog;
  const auditLog = await pruneLog(db, "audit_events", ageCutoff(auditLimits.maxAgeDays), auditLimits.maxRows - 1, batchSize, edgeStep);
  if (auditLog.byAge + auditLog.byRowLimit > 0) {
    await writeAudit(db, SYSTEM_ACTOR, {
      action: "audit.retention_pruned",
      resourceType: "audit_log",
      resourceId: null,
      after: {
        deleted: auditLog.byAge + auditLog.byRowLimit,
        deleted_by_age: auditLog.byAge,
        deleted_by_row_limit: auditLog.byRowLimit,
        max_age_days: auditLimits.maxAgeDays,
        max_rows: auditLimits.maxRows,
      },
    });
  }
  return { accessLog, auditLog, accessLogHourly: hourly.n, unknownHostHourly: unknown.n, clientCertificates: certs.n };
}

/** Deletes the client certificates last seen before `grace` that no access-log row references (see the top comment). */
function unreferencedCertificates(grace: Date): SQL {
  const g = grace.toISOString();
  return sql`with candidates as (select sha256, last_seen from client_certificates_seen where last_seen < ${g}),
    bound as (select max(last_seen) + make_interval(secs => ${(CERT_REFRESH_MS + CERT_SLACK_MS) / 1000}) as hi from candidates),
    used as (select distinct unnest(a.chain_sha256) as sha256 from access_log a, bound b where a.at <= b.hi and a.chain_sha256 is not null),
    gone as (
      delete from client_certificates_seen c using candidates k
      where c.sha256 = k.sha256 and c.last_seen < ${g} and not exists (select 1 from used u where u.sha256 = c.sha256)
      returning 1
    )
    select count(*)::int as n from gone`;
}
