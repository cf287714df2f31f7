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
