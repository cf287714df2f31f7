/**
 * Issue #12, finding 11 (retention part): both logs keep at most N days and M rows, pruned in bounded batches; the
 * hourly roll-ups are pruned by age and never shrunk by pruning; pruning the audit log is itself audited.
 * Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
import { beforeEach, describe, expect, it, vi } from "vitest";
import { sql, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { getDb, type Db } from "@/lib/db/client";
import { setSetting } from "@/lib/db/settings";
import {
  DEFAULT_RETENTION,
  getRetentionSettings,
  pruneLogs,
  RETENTION_KEY,
  saveRetentionSettings,
  type RetentionSettings,
} from "@/lib/domain/retention";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { alertSchedulerIdle, runRetention } from "@/lib/server/scheduler";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";

const DAY = 86_400_000;
const NOW = new Date("2030-06-15T12:30:00Z");
let db: Db;

async function q<T>(query: ReturnType<typeof sql>): Promise<T[]> {
  return ((await db.execute(query)) as unknown as { rows: T[] }).rows;
}
const num = async (query: ReturnType<typeof sql>) => Number(Object.values((await q<Record<string, unknown>>(query))[0])[0]);

/** `n` access-log rows, one per second from `start` (half allowed, half blocked), for application "App". */
async function accessRows(start: Date, n: number) {
  await db.execute(sql`insert into access_log (at, hostname, application_name, decision)
    select ${start.toISOString()}::timestamptz + make_interval(secs => i), 'app.example.com', 'App', case when i % 2 = 0 then 'allow' else 'deny' end
    from generate_series(0, ${n - 1}) i`);
}
async function auditRows(start: Date, n: number) {
  await db.execute(sql`insert into audit_events (at, actor_type, actor, action, resource_type)
    select ${start.toISOString()}::timestamptz + make_interval(secs => i), 'user', 'someone@test', 'policy.update', 'policy'
    from generate_series(0, ${n - 1}) i`);
}
const hourlyTotal = (from: Date, to: Date) =>
  num(sql`select coalesce(sum(allowed + blocked), 0) from access_log_hourly where hour >= ${from.toISOString()} and hour < ${to.toISOString()}`);
const settings = (access: [number, number], audit: [number, number]): RetentionSettings => ({
  accessLog: { maxAgeDays: access[0], maxRows: access[1] },
  auditLog: { maxAgeDays: audit[0], maxRows: audit[1] },
});
const form = (o: Partial<Record<"accessLogDays" | "accessLogMaxRows" | "auditLogDays" | "auditLogMaxRows", unknown>> = {}) => ({
  accessLogDays: "30",
  accessLogMaxRows: "2,000,000",
  auditLogDays: "365",
  auditLogMaxRows: "500000",
  ...o,
});

beforeEach(async () => {
  db = await getDb();
  // TRUNCATE empties access_log_hourly too (drizzle/0001's truncate trigger).
  await db.execute(sql`truncate access_log, unknown_host_hourly, audit_events`);
  await db.execute(sql`delete from settings where key = ${RETENTION_KEY}`);
});

describe("retention settings", () => {
  it("defaults to 90 days and 1,000,000 rows for both logs", async () => {
    expect(await getRetentionSettings()).toEqual({
      accessLog: { maxAgeDays: 90, maxRows: 1_000_000 },
      auditLog: { maxAgeDays: 90, maxRows: 1_000_000 },
    });
  });

  it("saves whole numbers (grouping allowed) and audits the change with before and after", async () => {
    const r = await saveRetentionSettings(adminActor, form());
    expect(r).toMatchObject({ ok: true, value: settings([30, 2_000_000], [365, 500_000]) });
    expect(await getRetentionSettings()).toEqual(settings([30, 2_000_000], [365, 500_000]));
    const [ev] = await q<{ action: string; actor: string; before: unknown; after: unknown }>(
      sql`select action, actor, before, after from audit_events where action = 'settings.retention.update'`,
    );
    expect(ev).toMatchObject({ actor: "admin@test", before: DEFAULT_RETENTION, after: settings([30, 2_000_000], [365, 500_000]) });
  });

  it("refuses bad values with a specific message per field, and changes nothing", async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ accessLogDays: "" }, "accessLogDays", "Access log: days to keep is required"],
      [{ accessLogDays: undefined }, "accessLogDays", "Access log: days to keep is required"],
      [{ accessLogDays: "12.5" }, "accessLogDays", "Access log: days to keep must be a whole number (digits only, e.g. 90)"],
      [{ accessLogDays: "-3" }, "accessLogDays", "Access log: days to keep must be a whole number (digits only, e.g. 90)"],
      [{ accessLogDays: "0" }, "accessLogDays", "Access log: days to keep must be between 1 and 3,650 days"],
      [{ auditLogDays: "3651" }, "auditLogDays", "Audit log: days to keep must be between 1 and 3,650 days"],
      [{ accessLogMaxRows: "999" }, "accessLogMaxRows", "Access log: maximum rows must be between 1,000 and 100,000,000 rows"],
      [{ auditLogMaxRows: "100000001" }, "auditLogMaxRows", "Audit log: maximum rows must be between 1,000 and 100,000,000 rows"],
      [{ auditLogMaxRows: "1e6" }, "auditLogMaxRows", "Audit log: maximum rows must be a whole number (digits only, e.g. 1,000,000)"],
      [{ auditLogMaxRows: "lots" }, "auditLogMaxRows", "Audit log: maximum rows must be a whole number (digits only, e.g. 1,000,000)"],
    ];
    for (const [patch, field, message] of cases) {
      const r = await saveRetentionSettings(adminActor, form(patch));
      expect(r.ok, JSON.stringify(patch)).toBe(false);
      if (r.ok) continue;
      expect(r.error).toMatchObject({ kind: "validation", message, fieldErrors: { [field]: [message] } });
    }
    expect(await saveRetentionSettings(adminActor, null)).toMatchObject({ ok: false, error: { kind: "validation" } });
    expect(await getRetentionSettings()).toEqual(DEFAULT_RETENTION);
    expect(await num(sql`select count(*) from audit_events`)).toBe(0);
  });

  it("viewers and read tokens cannot change it", async () => {
    for (const actor of [viewerActor, readTokenActor]) {
      expect(await saveRetentionSettings(actor, form())).toMatchObject({ ok: false, error: { kind: "forbidden", message: READ_ONLY_MESSAGE } });
    }
    expect(await getRetentionSettings()).toEqual(DEFAULT_RETENTION);
  });

  it("a hand-edited stored value falls back to the default for that field only", async () => {
    await setSetting(db, RETENTION_KEY, { accessLog: { maxAgeDays: 0, maxRows: 5000 }, auditLog: { maxAgeDays: "ever" } });
    expect(await getRetentionSettings()).toEqual(settings([90, 5000], [90, 1_000_000]));
  });
});

describe("pruning the access log", () => {
  it("deletes rows older than the age limit and their hourly counts, keeps the rest untouched", async () => {
    await accessRows(new Date(NOW.getTime() - 100 * DAY), 600); // 10 minutes, 100 days ago
    await accessRows(new Date(NOW.getTime() - 10 * DAY), 400);
    await db.execute(sql`insert into unknown_host_hourly (hour, requests, sample) values
      (${new Date(NOW.getTime() - 100 * DAY).toISOString()}, 7, 'old.example'), (${new Date(NOW.getTime() - 3_600_000).toISOString()}, 5, 'new.example')`);
    const recentHours = [new Date(NOW.getTime() - 11 * DAY), NOW] as const;
    expect(await hourlyTotal(...recentHours)).toBe(400);

    const r = await pruneLogs({ now: NOW, settings: settings([90, 1_000_000], [90, 1_000_000]), batchSize: 250 });
    expect(r.accessLog).toEqual({ byAge: 600, byRowLimit: 0 });
    expect(r.unknownHostHourly).toBe(1);
    expect(r.accessLogHourly).toBeGreaterThanOrEqual(1);
    expect(await num(sql`select count(*) from access_log`)).toBe(400);
    expect(await num(sql`select count(*) from access_log where at < ${new Date(NOW.getTime() - 90 * DAY).toISOString()}`)).toBe(0);
    // Old hours are gone (pruned by age), recent hours keep their counts.
    expect(await num(sql`select count(*) from access_log_hourly where hour < ${new Date(NOW.getTime() - 90 * DAY).toISOString()}`)).toBe(0);
    expect(await hourlyTotal(...recentHours)).toBe(400);
    expect(await q(sql`select sample, requests::int as requests from unknown_host_hourly`)).toEqual([{ sample: "new.example", requests: 5 }]);
    // Nothing left to do: a second run deletes nothing.
    expect(await pruneLogs({ now: NOW, settings: settings([90, 1_000_000], [90, 1_000_000]) })).toMatchObject({
      accessLog: { byAge: 0, byRowLimit: 0 },
      accessLogHourly: 0,
      unknownHostHourly: 0,
    });
  });

  it("keeps the newest rows up to the row limit, in bounded batches, without shrinking the hourly roll-up", async () => {
    const start = new Date(NOW.getTime() - 2 * 3_600_000);
    await accessRows(start, 2_500);
    const window = [new Date(start.getTime() - 3_600_000), new Date(NOW.getTime() + 3_600_000)] as const;
    expect(await hourlyTotal(...window)).toBe(2_500);

    const execute = vi.spyOn(db, "execute");
    try {
      const r = await pruneLogs({ now: NOW, settings: settings([90, 1_000], [90, 1_000_000]), batchSize: 300 });
      expect(r.accessLog).toEqual({ byAge: 0, byRowLimit: 1_500 });
      // 1,500 rows in batches of at most 300: at least five deleting statements.
      const deletes = execute.mock.calls.filter(([query]) => JSON.stringify(query).includes("delete from access_log a")).length;
      expect(deletes).toBeGreaterThanOrEqual(5);
    } finally {
      execute.mockRestore();
    }
    expect(await num(sql`select count(*) from access_log`)).toBe(1_000);
    // The newest 1,000 (by insertion) are kept.
    expect(await num(sql`select min(at) = ${new Date(start.getTime() + 1_500_000).toISOString()}::timestamptz from access_log`)).toBe(1);
    // The Overview chart still counts every decision of those hours.
    expect(await hourlyTotal(...window)).toBe(2_500);
  });

  it("finds the row limit's edge in statements that each walk at most `edgeStep` index entries (10M rows: one big offset timed out)", async () => {
    const dialect = new PgDialect();
    for (const keep of [2_500, 3_000, 1_000]) {
      await db.execute(sql`truncate access_log`);
      await accessRows(new Date(NOW.getTime() - 3_600_000), 6_000);
      const offsets: number[] = [];
      const execute = vi.spyOn(db, "execute");
      try {
        const r = await pruneLogs({ now: NOW, settings: settings([90, keep], [90, 1_000_000]), batchSize: 2_000, edgeStep: 1_000 });
        expect(r.accessLog).toEqual({ byAge: 0, byRowLimit: 6_000 - keep });
        for (const [query] of execute.mock.calls) {
          const { sql: text, params } = dialect.sqlToQuery(query as SQL);
          for (const m of text.matchAll(/offset \$(\d+)/g)) offsets.push(Number(params[Number(m[1]) - 1]));
        }
      } finally {
        execute.mockRestore();
      }
      expect(offsets.length, `keep ${keep}`).toBeGreaterThanOrEqual(Math.ceil(keep / 1_000));
      expect(Math.max(...offsets), `keep ${keep}`).toBeLessThanOrEqual(1_000);
      // Exactly the newest `keep` rows stay.
      expect(await num(sql`select count(*) from access_log`)).toBe(keep);
      expect(await num(sql`select count(*) from access_log where id > (select max(id) from access_log) - ${keep}`)).toBe(keep);
    }
  });
});

describe("pruning the audit log", () => {
  it("deletes by age and by row limit, then records one system event with the counts", async () => {
    await auditRows(new Date(NOW.getTime() - 200 * DAY), 300);
    await auditRows(new Date(NOW.getTime() - DAY), 1_200);
    const r = await pruneLogs({ now: NOW, settings: settings([90, 1_000_000], [90, 1_000]), batchSize: 400 });
    // 300 by age; 1,200 recent rows leave 999 plus the event.
    expect(r.auditLog).toEqual({ byAge: 300, byRowLimit: 201 });
    expect(await num(sql`select count(*) from audit_events`)).toBe(1_000);
    const events = await q<{ actor_type: string; actor: string; resource_type: string; after: Record<string, number> }>(
      sql`select actor_type, actor, resource_type, after from audit_events where action = 'audit.retention_pruned'`,
    );
    expect(events).toEqual([
      {
        actor_type: "system",
        actor: "system",
        resource_type: "audit_log",
        after: { deleted: 501, deleted_by_age: 300, deleted_by_row_limit: 201, max_age_days: 90, max_rows: 1_000 },
      },
    ]);
    // The event itself stays; a run with nothing to prune writes no event.
    await pruneLogs({ now: NOW, settings: settings([90, 1_000_000], [90, 1_000]) });
    expect(await num(sql`select count(*) from audit_events where action = 'audit.retention_pruned'`)).toBe(1);
    expect(await num(sql`select count(*) from audit_events`)).toBe(1_000);
  });

  it("the scheduler applies the stored settings", async () => {
    must(await saveRetentionSettings(adminActor, form({ accessLogDays: "7", auditLogDays: "7" })));
    await accessRows(new Date(Date.now() - 8 * DAY), 50);
    await accessRows(new Date(Date.now() - DAY), 20);
    await auditRows(new Date(Date.now() - 8 * DAY), 40);
    await runRetention();
    await alertSchedulerIdle();
    expect(await num(sql`select count(*) from access_log`)).toBe(20);
    expect(await num(sql`select count(*) from audit_events where at < now() - interval '7 days'`)).toBe(0);
    const [ev] = await q<{ after: Record<string, number> }>(sql`select after from audit_events where action = 'audit.retention_pruned'`);
    expect(ev.after).toMatchObject({ deleted_by_age: 40, max_age_days: 7, max_rows: 500_000 });
  });
});

describe("pruning client certificates (issue #13, part 6)", () => {
  /** A certificate row last seen `ago` ms before `now`, and optionally an access-log row at `rowAgo` referencing it. */
  async function cert(name: string, now: number, ago: number, rowAgo?: number) {
    const last = new Date(now - ago).toISOString();
    await db.execute(sql`insert into client_certificates_seen (sha256, der, first_seen, last_seen) values (${name}, '\\x3082', ${last}, ${last})`);
    if (rowAgo !== undefined) {
      await db.execute(sql`insert into access_log (at, hostname, decision, chain_sha256)
        values (${new Date(now - rowAgo).toISOString()}, 'app.example.com', 'deny', array[${name}, 'shared-intermediate']::text[])`);
    }
  }

  it("deletes certificates no access-log row references any more, keeps referenced and recently seen ones", async () => {
    await db.execute(sql`truncate client_certificates_seen`);
    const now = Date.now();
    const HOUR = 3_600_000;
    await cert("shared-intermediate", now, 3 * HOUR);
    await cert("rows-pruned-by-age", now, 100 * DAY, 100 * DAY);
    await cert("referenced-recently", now, 3 * HOUR, 3 * HOUR - 60_000);
    await cert("referenced-long-ago", now, 50 * DAY, 50 * DAY);
    await cert("never-referenced", now, 3 * HOUR);
    // Within the grace period a row referencing it may still be queued (the writer skips certificates it wrote lately).
    await cert("seen-minutes-ago", now, 10 * 60_000);

    const r = await pruneLogs({ now: new Date(now), settings: settings([90, 1_000_000], [90, 1_000_000]) });
    expect(r.accessLog.byAge).toBe(1);
    expect(r.clientCertificates).toBe(2);
    const left = await q<{ sha256: string }>(sql`select sha256 from client_certificates_seen order by sha256`);
    expect(left.map((c) => c.sha256)).toEqual(["referenced-long-ago", "referenced-recently", "seen-minutes-ago", "shared-intermediate"]);
    expect((await pruneLogs({ now: new Date(now), settings: settings([90, 1_000_000], [90, 1_000_000]) })).clientCertificates).toBe(0);

    // Once the rows referencing them are gone, so are they.
    await db.execute(sql`delete from access_log`);
    expect((await pruneLogs({ now: new Date(now), settings: settings([90, 1_000_000], [90, 1_000_000]) })).clientCertificates).toBe(3);
    expect(await q(sql`select sha256 from client_certificates_seen`)).toEqual([{ sha256: "seen-minutes-ago" }]);
  });

  it("a test clock in the future does not shorten the grace period", async () => {
    await db.execute(sql`truncate client_certificates_seen`);
    await cert("seen-minutes-ago", Date.now(), 10 * 60_000);
    const r = await pruneLogs({ now: NOW, settings: settings([90, 1_000_000], [90, 1_000_000]) });
    expect(r.clientCertificates).toBe(0);
  });
});

function must<T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T {
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}
