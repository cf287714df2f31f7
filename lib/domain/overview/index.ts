import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { applications, mtlsCertificates, policies, users } from "../../db/schema";

export interface OverviewCounts {
  certificates: number;
  policies: number;
  applications: number;
  users: number;
}

/** The Overview tiles: one statement (each query is a round trip, and PGlite runs them one at a time). */
export async function overviewCounts(): Promise<OverviewCounts> {
  const db = await getDb();
  const res = await db.execute<Record<keyof OverviewCounts, number | string>>(sql`select
    (select count(*) from ${mtlsCertificates})::int as certificates,
    (select count(*) from ${policies})::int as policies,
    (select count(*) from ${applications})::int as applications,
    (select count(*) from ${users})::int as users`);
  const [r] = (res as unknown as { rows: Record<keyof OverviewCounts, number | string>[] }).rows;
  return { certificates: Number(r.certificates), policies: Number(r.policies), applications: Number(r.applications), users: Number(r.users) };
}
