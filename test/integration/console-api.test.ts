/**
 * The console's GET route handlers that the live parts poll (app/api/console/**), called as Next.js calls them:
 * signed out → 401, signed in (any role) → the same data the pages prefetch, a refused filter → 400 naming it,
 * a database failure → 503 with a sentence, never a 500.
 */
import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db/client";
import { mtlsCertificates } from "@/lib/db/schema";
import { flushAccessLog, recordAccess, type AccessLogEntry } from "@/lib/domain/access-log";
import { overviewCounts } from "@/lib/domain/overview";
import type { SessionUser } from "@/lib/auth/session";

const session = vi.hoisted(() => ({ user: null as unknown }));
vi.mock("@/lib/auth/session", () => ({ currentUser: async () => session.user }));

const { GET: accessLogGet } = await import("@/app/api/console/access-log/route");
const { GET: overviewGet } = await import("@/app/api/console/overview/route");
const { GET: summaryGet } = await import("@/app/api/console/overview/access-summary/route");
const { GET: alertsGet } = await import("@/app/api/console/alerts/route");

const VIEWER = { id: "00000000-0000-4000-8000-000000000001", email: "viewer@example.com", name: "Viewer", role: "viewer" } as unknown as SessionUser;
const call = async (get: (r: Request) => Promise<Response>, path: string) => {
  const res = await get(new Request(`http://127.0.0.1:3000${path}`));
  return { status: res.status, cache: res.headers.get("cache-control"), body: await res.json() };
};

function entry(hostname: string, decision: "allow" | "deny", at = new Date()): AccessLogEntry {
  return { at, hostname, applicationId: null, applicationName: "Live app", clientCn: "John Doe", serialNumber: null, decision, policyId: null, policyName: null, reason: "test", ip: "10.0.0.1" };
}

beforeEach(async () => {
  session.user = VIEWER;
  const db = await getDb();
  await db.execute(sql`truncate access_log`);
  await db.delete(mtlsCertificates);
});
afterEach(() => vi.restoreAllMocks());

describe("console GET route handlers", () => {
  it("answer a caller without a live session 401 with the session-ended sentence", async () => {
    session.user = null;
    for (const [get, path] of [[accessLogGet, "/api/console/access-log"], [overviewGet, "/api/console/overview"], [summaryGet, "/api/console/overview/access-summary"], [alertsGet, "/api/console/alerts"]] as const) {
      const r = await call(get, path);
      expect(r.status, path).toBe(401);
      expect(r.body).toEqual({ error: "Your session has ended. Sign in again." });
    }
  });

  it("access log: the newest rows first, filtered like the page, never cached", async () => {
    recordAccess(entry("old.example.com", "allow", new Date(Date.now() - 60_000)));
    recordAccess(entry("live.example.com", "deny"));
    await flushAccessLog();
    const all = await call(accessLogGet, "/api/console/access-log");
    expect(all.status).toBe(200);
    expect(all.cache).toBe("no-store");
    expect(all.body.items.map((i: { hostname: string }) => i.hostname)).toEqual(["live.example.com", "old.example.com"]);
    expect(all.body.next).toBeNull();
    const denied = await call(accessLogGet, "/api/console/access-log?decision=deny&hostname=LIVE.example.com");
    expect(denied.body.items.map((i: { hostname: string; decision: string }) => `${i.hostname} ${i.decision}`)).toEqual(["live.example.com deny"]);
  });

  it("access log: pages with the cursor it returns", async () => {
    for (let i = 0; i < 52; i++) recordAccess(entry(`h${i}.example.com`, "allow", new Date(Date.now() - i * 1000)));
    await flushAccessLog();
    const first = await call(accessLogGet, "/api/console/access-log");
    expect(first.body.items).toHaveLength(50);
    expect(first.body.next).toMatch(/_\d+$/);
    const older = await call(accessLogGet, `/api/console/access-log?before=${encodeURIComponent(first.body.next)}`);
    expect(older.body.items.map((i: { hostname: string }) => i.hostname)).toEqual(["h50.example.com", "h51.example.com"]);
  });

  it("access log: a refused filter is a 400 naming the parameter, not a 500", async () => {
    for (const [query, param] of [["decision=maybe", "decision"], ["date=2026-13-45", "date"], ["before=not-a-cursor", "before"]]) {
      const r = await call(accessLogGet, `/api/console/access-log?${query}`);
      expect(r.status, query).toBe(400);
      expect(Object.keys(r.body.fieldErrors), query).toEqual([param]);
      expect(r.body.error, query).toContain(`${param}: `);
    }
    // Control characters are removed, as on the page (PostgreSQL could not compare a NUL).
    expect((await call(accessLogGet, "/api/console/access-log?hostname=a%00b.example.com")).status).toBe(200);
  });

  it("overview: the counters and the chart's rows", async () => {
    recordAccess(entry("live.example.com", "deny"));
    recordAccess(entry("live.example.com", "allow"));
    await flushAccessLog();
    const counts = await call(overviewGet, "/api/console/overview");
    expect(counts.status).toBe(200);
    expect(counts.body).toEqual(await overviewCounts());
    const summary = await call(summaryGet, "/api/console/overview/access-summary");
    expect(summary.body).toEqual([{ application: "Live app", allowed: 1, blocked: 1 }]);
  });

  it("alerts: the number of alert conditions that hold now", async () => {
    expect((await call(alertsGet, "/api/console/alerts")).body).toEqual({ open: 0 });
    const db = await getDb();
    const pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
    await db.insert(mtlsCertificates).values([
      { name: "Soon", certificatePem: pem, fingerprint: "MD5 Fingerprint=AA", expiresOn: new Date(Date.now() + 10 * 86_400_000), chain: [] },
      { name: "Later", certificatePem: pem, fingerprint: "MD5 Fingerprint=BB", expiresOn: new Date(Date.now() + 400 * 86_400_000), chain: [] },
    ]);
    expect((await call(alertsGet, "/api/console/alerts")).body).toEqual({ open: 1 });
  });

  it("a database failure is a 503 with a sentence (the browser keeps what it shows and asks again)", async () => {
    const db = await getDb();
    vi.spyOn(db, "execute").mockRejectedValue(new Error("connection lost"));
    vi.spyOn(console, "error").mockImplementation(() => undefined);
    const r = await call(overviewGet, "/api/console/overview");
    expect(r.status).toBe(503);
    expect(r.body).toEqual({ error: "Could not read the counts just now. The console will try again." });
  });
});
