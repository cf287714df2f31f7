/** Checks shared by the soak tests: the server's state and audit log against what the load acknowledged. */
import { expect } from "vitest";
import { and, gte, inArray } from "drizzle-orm";
import { closeDb, getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { opKeys, readBack, type LoadReport } from "./load-driver";

/**
 * Every acknowledged write is there; anything else must be explained by a write whose outcome is unknown
 * (no answer, or a 503 "may or may not have been saved"). Writes refused with a plain 5xx were not applied.
 */
export async function expectStateMatches(baseURL: string, accountId: string, token: string, tag: string, report: LoadReport) {
  for (const [kind, expected, doubtKind] of [
    ["policies", report.policies, "policy"],
    ["apps", report.apps, "application"],
  ] as const) {
    const actual = await readBack(baseURL, accountId, token, kind, tag);
    const doubt = report.inDoubt.filter((d) => d.kind === doubtKind);
    const refused = report.refused.filter((d) => d.kind === doubtKind);
    const why = (id: string, name: string) => {
      const r = refused.find((d) => d.id === id || d.name === name);
      return r ? ` — answered ${r.status} (code ${r.code}) yet applied` : "";
    };
    const problems: string[] = [];
    for (const [id, name] of expected) {
      const inDoubt = doubt.filter((d) => d.id === id);
      if (!actual.has(id)) {
        if (!inDoubt.length) problems.push(`${kind} ${id} (${name}) lost${why(id, name)}`);
      } else if (actual.get(id) !== name && !inDoubt.some((d) => d.name === actual.get(id))) {
        problems.push(`${kind} ${id} is named "${actual.get(id)}", acknowledged "${name}"${why(id, actual.get(id)!)}`);
      }
    }
    for (const [id, name] of actual) {
      if (!expected.has(id) && !doubt.some((d) => d.id === id || d.name === name)) problems.push(`${kind} ${id} (${name}) was never acknowledged${why(id, name)}`);
    }
    expect(problems, `${kind}: ${actual.size} on the server, ${expected.size} acknowledged, ${doubt.length} in doubt, ${refused.length} refused with 5xx`).toEqual([]);
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
  return `${report.requests} requests, ${report.acked.length} acknowledged writes, ${report.inDoubt.length} in doubt, ${report.refused.length} refused with 5xx; statuses ${JSON.stringify(report.statuses)}; p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms, max ${sorted.at(-1) ?? 0} ms`;
}
