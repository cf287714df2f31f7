import { and, count, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../db/client";
import { auditEvents } from "../db/schema";

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

export async function listAuditEvents(f: AuditFilter): Promise<{ events: AuditEventDto[]; total: number; pages: number }> {
  const db = await getDb();
  const w = where(f);
  // Keyset on the primary key keeps deep pages cheap; offset is bounded by the page size × page.
  const rows = await db
    .select()
    .from(auditEvents)
    .where(w)
    .orderBy(desc(auditEvents.id))
    .limit(AUDIT_PAGE_SIZE)
    .offset((f.page - 1) * AUDIT_PAGE_SIZE);
  const [{ n }] = await db.select({ n: count() }).from(auditEvents).where(w);
  return { events: rows.map(toDto), total: n, pages: Math.max(1, Math.ceil(n / AUDIT_PAGE_SIZE)) };
}

export async function recentAuditEvents(limit = 8): Promise<AuditEventDto[]> {
  const db = await getDb();
  return (await db.select().from(auditEvents).orderBy(desc(auditEvents.id)).limit(limit)).map(toDto);
}

export async function auditFacets(): Promise<{ actors: string[]; resourceTypes: string[] }> {
  const db = await getDb();
  const actors = await db.execute<{ actor: string }>(sql`select distinct actor from audit_events order by actor limit 200`);
  const types = await db.execute<{ resource_type: string }>(sql`select distinct resource_type from audit_events order by resource_type`);
  return { actors: actors.rows.map((r) => r.actor), resourceTypes: types.rows.map((r) => r.resource_type) };
}
