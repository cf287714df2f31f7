import { beforeEach, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { accessLog, accessLogHourly, applications, mtlsCertificates, policies } from "@/lib/db/schema";
import { accessSummary, flushAccessLog, recordAccess, type AccessLogEntry } from "@/lib/domain/access-log";
import { listApplications } from "@/lib/domain/applications";
import { getCertificate, listCertificates } from "@/lib/domain/certificates";
import { overviewCounts } from "@/lib/domain/overview";

const HOUR = 3_600_000;
const NOW = new Date("2026-03-10T12:20:00Z");

function entry(at: Date, applicationName: string | null, decision: "allow" | "deny"): AccessLogEntry {
  return { at, hostname: "app.example.com", applicationId: null, applicationName, clientCn: null, serialNumber: null, decision, policyId: null, policyName: null, reason: null, ip: null };
}

/** The summary as the Overview computed it before the roll-up: straight from access_log. */
async function rawSummary(hours: number, now: Date) {
  const db = await getDb();
  const res = (await db.execute(sql`
    select coalesce(application_name, '(no application)') as application,
      count(*) filter (where decision = 'allow')::int as allowed, count(*) filter (where decision = 'deny')::int as blocked
    from access_log where at >= ${new Date(now.getTime() - hours * HOUR)} group by 1 order by 1`)) as unknown as {
    rows: { application: string; allowed: number; blocked: number }[];
  };
  return res.rows.map((r) => ({ application: r.application, allowed: Number(r.allowed), blocked: Number(r.blocked) }));
}

describe("Overview", () => {
  beforeEach(async () => {
    const db = await getDb();
    await db.execute(sql`truncate access_log`);
  });

  it("counts the tiles in one statement", async () => {
    const db = await getDb();
    const before = await overviewCounts();
    await db.insert(policies).values({ name: "Counted", decision: "allow", include: [{ everyone: {} }] });
    await db.insert(applications).values({ aud: "c".repeat(64), name: "Counted app", domain: "counted.example.com", hostname: "counted.example.com" });
    expect(await overviewCounts()).toEqual({ ...before, policies: before.policies + 1, applications: before.applications + 1 });
    const { total } = await listApplications({ page: 1, perPage: 1 });
    expect(total).toBe(before.applications + 1);
    expect((await listApplications({ page: 50, perPage: 1 })).total).toBe(total);
  });

  it("sums the last 24 hours from the hourly roll-up exactly as from the raw log, window edges included", async () => {
    const since = NOW.getTime() - 24 * HOUR; // 12:20 the day before: the oldest hour counts from 12:20 only
    const at = (ms: number) => new Date(ms);
    // Through the gateway's queue (one multi-row insert)…
    for (const e of [
      entry(at(since - 1), "Before the window", "allow"),
      entry(at(since), "Portal", "allow"),
      entry(at(since + 1), "Portal", "deny"),
      entry(at(Math.ceil(since / HOUR) * HOUR - 1), "Portal", "allow"),
      entry(at(Math.ceil(since / HOUR) * HOUR), "Portal", "allow"),
      entry(at(NOW.getTime() - 1), "Wiki", "deny"),
      entry(at(NOW.getTime() - 1), null, "deny"),
      entry(at(NOW.getTime() + HOUR), "Wiki", "allow"),
    ]) {
      recordAccess(e);
    }
    await flushAccessLog();
    // …and directly, one row per statement.
    const db = await getDb();
    await db.insert(accessLog).values(entry(at(since + 30 * 60_000), "Wiki", "allow"));
    await db.insert(accessLog).values(entry(at(since - HOUR), "Wiki", "allow"));

    const expected = [
      { application: "(no application)", allowed: 0, blocked: 1 },
      { application: "Portal", allowed: 3, blocked: 1 },
      { application: "Wiki", allowed: 2, blocked: 1 },
    ];
    expect(await rawSummary(24, NOW)).toEqual(expected);
    expect(await accessSummary(24, NOW)).toEqual(expected);
    // A window that starts on a whole hour reads the roll-up only.
    const onTheHour = new Date("2026-03-10T12:00:00Z");
    expect(await accessSummary(24, onTheHour)).toEqual(await rawSummary(24, onTheHour));
    expect(await accessSummary(1, NOW)).toEqual(await rawSummary(1, NOW));
  });

  it("keeps the roll-up in step when rows are deleted, updated or truncated", async () => {
    const db = await getDb();
    await db.insert(accessLog).values([entry(new Date(NOW.getTime() - HOUR), "Portal", "allow"), entry(new Date(NOW.getTime() - HOUR), "Portal", "deny")]);
    expect(await accessSummary(24, NOW)).toEqual([{ application: "Portal", allowed: 1, blocked: 1 }]);
    await db.execute(sql`update access_log set application_name = 'Renamed' where decision = 'deny'`);
    expect(await accessSummary(24, NOW)).toEqual(await rawSummary(24, NOW));
    await db.execute(sql`delete from access_log where decision = 'allow'`);
    expect(await accessSummary(24, NOW)).toEqual([{ application: "Renamed", allowed: 0, blocked: 1 }]);
    await db.execute(sql`delete from access_log`);
    expect(await accessSummary(24, NOW)).toEqual([]);
    await db.insert(accessLog).values(entry(new Date(NOW.getTime() - HOUR), "Portal", "allow"));
    await db.execute(sql`truncate access_log`);
    expect(await db.select().from(accessLogHourly)).toEqual([]);
    expect(await accessSummary(24, NOW)).toEqual([]);
  });

  it("keeps access_log_hourly equal to a GROUP BY over access_log through multi-row batches, deletes and a truncate", async () => {
    const db = await getDb();
    /** The whole roll-up table and the same totals recomputed from access_log (rows with zero totals dropped). */
    const both = async () => {
      const res = (await db.execute(sql`
        select 'rollup' as src, hour, application_name, allowed::int as allowed, blocked::int as blocked
        from access_log_hourly where allowed <> 0 or blocked <> 0
        union all
        select 'raw', date_trunc('hour', at at time zone 'UTC') at time zone 'UTC', coalesce(application_name, '(no application)'),
          count(*) filter (where decision = 'allow')::int, count(*) filter (where decision = 'deny')::int
        from access_log group by 2, 3
        order by 1, 2, 3`)) as unknown as { rows: { src: string; hour: Date | string; application_name: string; allowed: number; blocked: number }[] };
      const pick = (src: string) =>
        res.rows.filter((r) => r.src === src).map((r) => ({ hour: new Date(r.hour).toISOString(), app: r.application_name, allowed: Number(r.allowed), blocked: Number(r.blocked) }));
      return { rollup: pick("rollup"), raw: pick("raw") };
    };
    // Through the gateway's queue: 4,500 rows (three statements of up to 2,000), over 30 hours and 4 application names.
    const apps = ["Portal", "Wiki", "Grafana", null];
    for (let i = 0; i < 4500; i++) recordAccess(entry(new Date(NOW.getTime() - (i % 30) * HOUR - (i % 7) * 60_000), apps[i % 4], i % 3 ? "allow" : "deny"));
    await flushAccessLog();
    let s = await both();
    expect(s.raw.length).toBeGreaterThan(30);
    expect(s.rollup).toEqual(s.raw);
    // A multi-row insert in one statement that repeats the same (hour, application) keys.
    await db.insert(accessLog).values(Array.from({ length: 300 }, (_, i) => entry(new Date(NOW.getTime() - (i % 3) * HOUR), i % 2 ? "Wiki" : null, i % 4 ? "deny" : "allow")));
    s = await both();
    expect(s.rollup).toEqual(s.raw);
    // Deleting some rows of many hours at once, then whole hours.
    await db.execute(sql`delete from access_log where id % 5 = 0 or (decision = 'deny' and application_name = 'Grafana')`);
    s = await both();
    expect(s.rollup).toEqual(s.raw);
    await db.execute(sql`delete from access_log where at < ${new Date(NOW.getTime() - 20 * HOUR)}`);
    s = await both();
    expect(s.rollup).toEqual(s.raw);
    // An update that moves rows between hours, applications and decisions.
    await db.execute(sql`update access_log set at = at - interval '90 minutes', application_name = 'Moved', decision = case when decision = 'allow' then 'deny' else 'allow' end where id % 7 = 0`);
    s = await both();
    expect(s.rollup).toEqual(s.raw);
    expect(await accessSummary(24, NOW)).toEqual(await rawSummary(24, NOW));
    await db.execute(sql`truncate access_log`);
    expect(await db.select().from(accessLogHourly)).toEqual([]);
    expect(await both()).toEqual({ rollup: [], raw: [] });
  });

  it("lists certificates with their chain and CRL summaries, re-read after any update of the row", async () => {
    const db = await getDb();
    const crl = { issuer: "CN=Root", issuerCN: "Root", thisUpdate: "2026-01-01T00:00:00.000Z", nextUpdate: null, revoked_count: 1, revoked: [{ serialNumber: "01", revocationDate: "2026-01-01T00:00:00.000Z" }] };
    const [row] = await db
      .insert(mtlsCertificates)
      .values({ name: "listed", certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", fingerprint: "MD5 Fingerprint=AA", expiresOn: new Date(NOW.getTime() + 400 * 86_400_000), chain: [{ subject: "CN=Root" }], crl })
      .returning();
    const find = async () => (await listCertificates({ perPage: 1000 })).items.find((c) => c.id === row.id)!;
    expect(await find()).toEqual(await getCertificate(row.id));
    expect((await find()).crl).toEqual(crl);
    expect((await find()).crl).toEqual(crl); // from the parsed-summary cache
    // Changed behind the domain's back (no version bump): still seen at once.
    await db.update(mtlsCertificates).set({ crl: null, chain: [{ subject: "CN=Other" }] }).where(eq(mtlsCertificates.id, row.id));
    expect(await find()).toMatchObject({ crl: null, chain: [{ subject: "CN=Other" }] });
    expect(await find()).toEqual(await getCertificate(row.id));
    await db.delete(mtlsCertificates).where(eq(mtlsCertificates.id, row.id));
  });
});
