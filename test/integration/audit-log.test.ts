import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { AUDIT_COUNT_CAP, auditFacets, auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";

describe("audit log queries", () => {
  it("filters by actor, resource type and dates, pages newest first, and lists facets", async () => {
    const db = await getDb();
    const rows = Array.from({ length: 120 }, (_, i) => ({
      actorType: "user" as const,
      actor: i % 2 ? "a@example.com" : "b@example.com",
      action: "policy.update",
      resourceType: i % 3 ? "policy" : "application",
      at: new Date(Date.UTC(2026, 0, 1 + (i % 10))),
    }));
    await db.insert(auditEvents).values(rows);
    const all = await listAuditEvents(auditFilterSchema.parse({}));
    expect(all.events).toHaveLength(50);
    expect(all.events[0].id).toBeGreaterThan(all.events[1].id);
    const filtered = await listAuditEvents(auditFilterSchema.parse({ actor: "a@example.com", resourceType: "policy", from: "2026-01-02", to: "2026-01-04" }));
    expect(filtered.events.every((e) => e.actor === "a@example.com" && e.resourceType === "policy")).toBe(true);
    expect(filtered.events.every((e) => e.at >= "2026-01-02" && e.at < "2026-01-05")).toBe(true);
    expect(filtered.totalIsCapped).toBe(false);
    const page3 = await listAuditEvents(auditFilterSchema.parse({ page: "3" }));
    expect(page3.events.length).toBe(page3.total - 100);
    const facets = await auditFacets();
    expect(facets.actors).toEqual(expect.arrayContaining(["a@example.com", "b@example.com"]));
    expect(facets.resourceTypes).toEqual(expect.arrayContaining(["application", "policy"]));
    expect([...facets.actors].sort()).toEqual(facets.actors);
  });

  it("stops counting at the cap and keeps offering the next page", async () => {
    const db = await getDb();
    await db.execute(`insert into audit_events (actor_type, actor, action, resource_type) select 'system', 'system', 'bulk', 'bulk' from generate_series(1, ${AUDIT_COUNT_CAP + 5})`);
    const r = await listAuditEvents(auditFilterSchema.parse({ resourceType: "bulk" }));
    expect(r.totalIsCapped).toBe(true);
    expect(r.total).toBe(AUDIT_COUNT_CAP);
    expect(r.pages).toBe(AUDIT_COUNT_CAP / 50);
  });
});
