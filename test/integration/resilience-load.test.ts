/**
 * 10 s of load in the normal suite: 50 concurrent API clients (edit tokens) doing mixed reads and
 * writes over real HTTP against the /client/v4 route handlers (the production server version runs for
 * 60 s under `npm run test:soak`). No 5xx, no hang, no lost or duplicated write, and one audit event
 * per acknowledged mutation.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, gte, inArray } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents } from "@/lib/db/schema";
import { getSetting } from "@/lib/db/settings";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createFirstAdmin } from "@/lib/domain/users";
import { startApiServer, type TestApiServer } from "../api/server";
import { opKeys, readBack, runLoad } from "../soak/load-driver";

const CLIENTS = 50;
let api: TestApiServer;
const tokens: string[] = [];
let accountId: string;

beforeAll(async () => {
  process.env.PORTCULLIS_API_RATE_LIMIT = "1000000/300";
  api = await startApiServer();
  const u = await createFirstAdmin({ email: "load@example.com", name: "Load", password: "a-long-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const admin = { type: "user" as const, id: u.value.id, label: u.value.email, role: "admin" as const, permission: "edit" as const };
  for (let i = 0; i < CLIENTS / 2; i++) {
    const t = await createApiToken(admin, { name: `load-${i}`, permission: "edit" });
    if (!t.ok) throw new Error(t.error.message);
    tokens.push(t.value.secret, t.value.secret);
  }
  accountId = (await getSetting<string>(await getDb(), "account_id"))!;
  // Load every route module once, so the first wave measures the server rather than the test's compiler.
  await runLoad({ baseURL: api.baseURL, accountId, tokens: tokens.slice(0, 2), durationMs: 1500, tag: "warmup" });
});
afterAll(() => api?.close());

describe("resilience: load", () => {
  it("50 clients for 10 s: no 5xx, no lost or duplicated writes, audit matches mutations", async () => {
    const since = new Date();
    const tag = `load${Date.now().toString(36)}`;
    const report = await runLoad({ baseURL: api.baseURL, accountId, tokens, durationMs: 10_000, tag, requestTimeoutMs: 20_000 });

    expect(report.requests).toBeGreaterThanOrEqual(CLIENTS);
    expect(report.fiveXX).toEqual([]);
    expect(report.networkErrors).toEqual([]);
    expect(report.unexpected).toEqual([]);
    // Latency is measured by bench/, not asserted here; a request that never answers shows up as a network error.
    const sorted = [...report.latenciesMs].sort((a, b) => a - b);
    console.log(`[load] ${report.requests} requests, ${report.acked.length} writes; p50 ${sorted[sorted.length >> 1]} ms, max ${sorted.at(-1)} ms`);
    expect(report.inDoubt).toEqual([]);

    // Final state equals the sum of acknowledged operations (ids and last acknowledged names).
    expect(await readBack(api.baseURL, accountId, tokens[0], "policies", tag)).toEqual(report.policies);
    expect(await readBack(api.baseURL, accountId, tokens[0], "apps", tag)).toEqual(report.apps);

    // One audit event per acknowledged mutation, none extra.
    const db = await getDb();
    const actions = [...new Set(report.acked.map((o) => o.action))];
    const events = await db
      .select({ action: auditEvents.action, resourceId: auditEvents.resourceId })
      .from(auditEvents)
      .where(and(inArray(auditEvents.action, actions), gte(auditEvents.at, since)));
    expect(opKeys(events)).toEqual(opKeys(report.acked));
  }, 120_000);
});
