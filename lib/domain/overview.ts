import { count } from "drizzle-orm";
import { getDb } from "../db/client";
import { applications, mtlsCertificates, policies, users } from "../db/schema";

export interface OverviewCounts {
  certificates: number;
  policies: number;
  applications: number;
  users: number;
}

export async function overviewCounts(): Promise<OverviewCounts> {
  const db = await getDb();
  const one = async (table: typeof users | typeof policies | typeof applications | typeof mtlsCertificates) =>
    (await db.select({ n: count() }).from(table))[0].n;
  const [c, p, a, u] = await Promise.all([one(mtlsCertificates), one(policies), one(applications), one(users)]);
  return { certificates: c, policies: p, applications: a, users: u };
}
