/**
 * Issue #18 §5 (pages at scale): the access log's page statement stays an index range however deep the cursor and
 * whichever filter, so a page costs the same at 10M rows as at 1,000 (bench/pages.ts measures it). The plans are
 * checked on a log big enough for the planner to prefer indexes; paging stays exact across equal timestamps.
 * Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { getDb, type Db } from "@/lib/db/client";
import { accessLogPageQuery, listAccessLog, type AccessLogFilter } from "@/lib/domain/access-log";

const START = new Date("2030-01-01T00:00:00Z");
const ROWS = 20_000;
let db: Db;

interface PlanNode {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  Plans?: PlanNode[];
}

/** Every index scan of the plan the page statement gets (index and bitmap scans; sequential scans switched off). */
async function indexScans(filter: AccessLogFilter): Promise<PlanNode[]> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    await tx.execute(sql`set local enable_bitmapscan = off`);
    const res = (await tx.execute(sql`explain (format json) ${accessLogPageQuery(db, filter, 51)}`)) as unknown as { rows: Record<string, unknown>[] };
    const raw = Object.values(res.rows[0])[0];
    const [{ Plan }] = (typeof raw === "string" ? JSON.parse(raw) : raw) as { Plan: PlanNode }[];
    const out: PlanNode[] = [];
    const walk = (n: PlanNode) => {
      if (n["Index Name"]) out.push(n);
      n.Plans?.forEach(walk);
    };
    walk(Plan);
    return out;
  });
}

beforeAll(async () => {
  db = await getDb();
  await db.execute(sql`truncate access_log`);
  // Two rows a second (pairs share a timestamp: ties on `at`) over 40 hostnames, every 7th blocked (all hostnames
  // have some), and one hostname never blocked.
  await db.execute(sql`insert into access_log (at, hostname, application_name, decision)
    select ${START.toISOString()}::timestamptz + make_interval(secs => i / 2), 'h' || (i % 40) || '.example.com', 'App',
      case when i % 7 = 0 then 'deny' else 'allow' end
    from generate_series(0, ${ROWS - 1}) i`);
  await db.execute(sql`insert into access_log (at, hostname, application_name, decision)
    select ${START.toISOString()}::timestamptz + make_interval(secs => i), 'allowed.example.com', 'App', 'allow' from generate_series(0, 999) i`);
  await db.execute(sql`analyze access_log`);
});

describe("access log at scale", () => {
  it("starts a deep page's index scan at the cursor instead of filtering every newer row", async () => {
    const cursor = `${new Date(START.getTime() + 2_500_000).toISOString()}_${Number.MAX_SAFE_INTEGER}`;
    for (const filter of [{ before: cursor }, { hostname: "h1.example.com", before: cursor }]) {
      const scans = await indexScans(filter);
      expect(scans.length, JSON.stringify(filter)).toBeGreaterThan(0);
      expect(scans.map((s) => s["Index Cond"] ?? "").join(" "), JSON.stringify(filter)).toMatch(/\bat <=/);
    }
  });

  it("finds blocked rows through the blocked-row indexes, with and without a hostname", async () => {
    expect((await indexScans({ decision: "deny" })).map((s) => s["Index Name"])).toContain("access_log_deny_idx");
    expect((await indexScans({ decision: "deny", hostname: "h1.example.com" })).map((s) => s["Index Name"])).toContain("access_log_deny_hostname_idx");
    const page = await listAccessLog({ decision: "deny", hostname: "h1.example.com" }, 1000);
    // i ≡ 1 (mod 40) and i ≡ 0 (mod 7): i = 161 + 280·m below 20,000
    expect(page.items).toHaveLength(71);
    expect(page.items.every((r) => r.decision === "deny" && r.hostname === "h1.example.com")).toBe(true);
    expect((await listAccessLog({ decision: "deny", hostname: "allowed.example.com" })).items).toEqual([]);
  });

  it("pages through equal timestamps without losing or repeating a row", async () => {
    const filter: AccessLogFilter = { date: "2030-01-01" };
    const seen: number[] = [];
    let before: string | undefined;
    for (let pages = 0; pages < 10_000; pages++) {
      const page = await listAccessLog({ ...filter, before }, 1001);
      seen.push(...page.items.map((r) => r.id));
      if (!page.next) break;
      before = page.next;
    }
    const all = ((await db.execute(sql`select id from access_log order by at desc, id desc`)) as unknown as { rows: { id: string | number }[] }).rows.map((r) => Number(r.id));
    expect(seen).toEqual(all);
  });
});
