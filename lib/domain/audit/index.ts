import { and, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { auditEvents } from "../../db/schema";

export const AUDIT_PAGE_SIZE = 50;

export const auditFilterSchema = z.object({
  actor: z.string().trim().max(320).optional().default(""),
  resourceType: z.string().trim().max(64).optional().default(""),
  from: z.union([z.literal(""), z.iso.date("From must be a date (YYYY-MM-DD)")]).optional().default(""),
  to: z.union([z.literal(""), z.iso.date("To must be a date (YYYY-MM-DD)")]).optional().default(""),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1).default(1),
});
export type AuditFilter = z.infer<typeof auditFilterSchema>;

export interface AuditEventDto {
  id: number;
  at: string;
  actorType: string;
  actor: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  before: unknown;
  after: unknown;
  ip: string | null;
}

function where(f: AuditFilter): SQL | undefined {
  const conds: SQL[] = [];
  if (f.actor) conds.push(eq(auditEvents.actor, f.actor));
  if (f.resourceType) conds.push(eq(auditEvents.resourceType, f.resourceType));
  if (f.from) conds.push(gte(auditEvents.at, new Date(`${f.from}T00:00:00Z`)));
  if (f.to) conds.push(lt(auditEvents.at, new Date(new Date(`${f.to}T00:00:00Z`).getTime() + 86_400_000)));
  return conds.length ? and(...conds) : undefined;
}

const toDto = (r: typeof auditEvents.$inferSelect): AuditEventDto => ({ ...r, at: r.at.toISOString() });

/** Counting a million rows on every page view is the slow part: count up to this many, then say "more than". */
export const AUDIT_COUNT_CAP = 10_000;

export async function listAuditEvents(
  f: AuditFilter,
): Promise<{ events: AuditEventDto[]; total: number; totalIsCapped: boolean; pages: number }> {
  const db = await getDb();
  const w = where(f);
  const rows = await db
    .select()
    .from(auditEvents)
    .where(w)
    .orderBy(desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((f.page - 1) * AUDIT_PAGE_SIZE);
  const capped = db.select({ one: sql`1` }).from(auditEvents).where(w).limit(AUDIT_COUNT_CAP + 1).as("capped");
  const [{ n }] = await db.select({ n: count() }).from(capped);
  const totalIsCapped = n > AUDIT_COUNT_CAP;
  const total = totalIsCapped ? AUDIT_COUNT_CAP : n;
  const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE), totalIsCapped ? f.page + 1 : 1);
  return { events: rows.map(toDto), total, totalIsCapped, pages };
}

export async function recentAuditEvents(limit = 8): Promise<AuditEventDto[]> {
  const db = await getDb();
  return (await db.select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(limit)).map(toDto);
}

/**
 * Distinct values of an indexed column by a loose index scan (one index probe per distinct value), so the
 * filter lists stay fast with millions of events.
 */
async function distinctValues(column: "actor" | "resource_type", limit: number): Promise<string[]> {
  const db = await getDb();
  const col = sql.raw(column);
  const result = await db.execute<{ v: string }>(sql`
    with recursive t(v, n) as (
      (select ${col}, 1 from audit_events order by ${col} limit 1)
      union all
      select (select ${col} from audit_events where ${col} > t.v order by ${col} limit 1), t.n + 1 from t where t.v is not null and t.n < ${limit}
    )
    select v from t where v is not null`);
  return result.rows.map((r) => r.v);
}

export async function auditFacets(): Promise<{ actors: string[]; resourceTypes: string[] }> {
  const [actors, resourceTypes] = await Promise.all([distinctValues("actor", 200), distinctValues("resource_type", 100)]);
  return { actors, resourceTypes };
}
