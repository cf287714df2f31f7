/** Checks shared by the soak tests: the server's state and audit log against what the load acknowledged. */
import { expect } from "vitest";
import { and, gte, inArray } from "drizzle-orm";
import { closeDb, getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { opKeys, readBack, type LoadReport } from "./load-driver";

/**
 * Every acknowledged write is there; anything else must be explained by a write whose answer never
 * arrived (in doubt: sent when the server died, so it may or may not have committed).
 */
export async function expectStateMatches(baseURL: string, accountId: string, token: string, tag: string, report: LoadReport) {
  for (const [kind, expected, doubtKind] of [
    ["policies", report.policies, "policy"],
    ["apps", report.apps, "application"],
  ] as const) {
    const actual = await readBack(baseURL, accountId, token, kind, tag);
    const doubt = report.inDoubt.filter((d) => d.kind === doubtKind);
    if (!doubt.length) {
      expect(actual, kind).toEqual(expected);
      continue;
    }
    for (const [id, name] of expected) {
      const inDoubt = doubt.filter((d) => d.id === id);
      if (!actual.has(id)) expect(inDoubt.length, `${kind} ${id} (${name}) lost`).toBeGreaterThan(0);
      else if (actual.get(id) !== name) expect(inDoubt.map((d) => d.name), `${kind} ${id} has a name nobody acknowledged`).toContain(actual.get(id));
    }
    for (const [id, name] of actual) {
      if (!expected.has(id)) expect(doubt.some((d) => d.id === id || d.name === name), `${kind} ${id} (${name}) was never acknowledged`).toBe(true);
    }
  }
}

/** Opens the database in this process (the server must be stopped for PGlite) and compares audit events with acknowledged writes. */
export async function expectAuditMatches(report: LoadReport, since: Date) {
  const db = await getDb();
  const actions = [...new Set(report.acked.map((o) => o.action))];
  const events = await db.select({ action: auditEvents.action, resourceId: auditEvents.resourceId }).from(auditEvents).where(and(inArray(auditEvents.action, actions), gte(auditEvents.at, since)));
  await closeDb();
  if (!report.inDoubt.length) {
    expect(opKeys(events)).toEqual(opKeys(report.acked));
    return;
  }
  const have = new Map<string, number>();
  for (const k of opKeys(events)) have.set(k, (have.get(k) ?? 0) + 1);
  for (const k of opKeys(report.acked)) {
    expect(have.get(k) ?? 0, `audit event for acknowledged "${k}"`).toBeGreaterThan(0);
    have.set(k, have.get(k)! - 1);
  }
  const extra = [...have.values()].reduce((a, b) => a + b, 0);
  expect(extra, "audit events beyond acknowledged and in-doubt writes").toBeLessThanOrEqual(report.inDoubt.length);
}

export function summary(report: LoadReport): string {
  const sorted = [...report.latenciesMs].sort((a, b) => a - b);
  const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
  return `${report.requests} requests, ${report.acked.length} acknowledged writes, ${report.inDoubt.length} in doubt; statuses ${JSON.stringify(report.statuses)}; p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${sorted.at(-1) ?? 0} ms`;
}
