/**
 * The sign-in throttle and the API limiter keep their counts in the database (lib/auth/rate-limit.ts,
 * lib/api/rate-limit.ts): two instances sharing one database together allow no more guesses than one, sequentially
 * and in parallel. On PostgreSQL the second "instance" has its own connection pool and its own in-process caches.
 */
import { afterAll, describe, expect, it } from "vitest";
import { drizzle } from "drizzle-orm/node-postgres";
import { getDb, getDbHandle, type Db } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import { BackoffLimiter, LoginThrottle, type DbSource } from "@/lib/auth/rate-limit";
import { RequestRateLimiter } from "@/lib/api/rate-limit";

const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
});

/** Another instance's view of the same database: its own pool on PostgreSQL; PGlite is one process by design. */
async function otherInstance(): Promise<DbSource> {
  const handle = await getDbHandle();
  if (handle.engine !== "postgres") return getDb;
  const pg = (await import("pg")).default;
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
  // As lib/db/client's pool: an idle connection the server closes must not be an uncaught 'error' event.
  pool.on("error", (err) => console.error("[test pool] idle client error:", err.message));
  closers.push(() => pool.end());
  const db = drizzle(pool, { schema }) as unknown as Db;
  return async () => db;
}

let n = 0;
/** A fresh email per test, so tests do not share counts. */
const email = () => `user${++n}-${Date.now()}@example.com`;

/** One guess: admitted and failed, or refused. */
async function guess(t: LoginThrottle, ip: string, mail: string, now?: number): Promise<boolean> {
  const gate = await t.begin(ip, mail, now);
  if (!gate.attempt) return false;
  await t.finish(gate.attempt, "failed", now);
  return true;
}

describe("sign-in throttle in the database", () => {
  it("20 wrong passwords for one email from varying addresses do not lock out a clean source (issue #12, finding 6)", async () => {
    const t = new LoginThrottle(5);
    const mail = email();
    for (let i = 0; i < 40; i++) await guess(t, `198.51.100.${i}`, mail, 1000);
    // The attacker's addresses are held back on this account …
    expect((await t.begin("198.51.100.7", mail, 2000)).waitMs).toBeGreaterThan(0);
    // … but the real admin, from an address that has not failed, is not.
    const admin = await t.begin("203.0.113.9", mail, 2000);
    expect(admin.waitMs).toBe(0);
    await t.finish(admin.attempt!, "succeeded", 2000);
    // Other accounts are untouched for the attacker's addresses that have only one failure each.
    expect((await t.begin("198.51.100.8", email(), 2000)).waitMs).toBe(0);
  });

  it("one source guessing one email backs off exponentially; a success clears only that pair", async () => {
    const t = new LoginThrottle(5);
    const mail = email();
    for (let i = 0; i < 5; i++) expect(await guess(t, "192.0.2.1", mail, 0)).toBe(true);
    expect(await t.begin("192.0.2.1", mail, 0)).toEqual({ waitMs: 30_000, attempt: null });
    expect(await guess(t, "192.0.2.1", mail, 30_000)).toBe(true);
    expect((await t.begin("192.0.2.1", mail, 30_000)).waitMs).toBe(60_000);
    const ok = await t.begin("192.0.2.1", mail, 90_000);
    await t.finish(ok.attempt!, "succeeded", 90_000);
    expect((await t.begin("192.0.2.1", mail, 90_000)).waitMs).toBe(0);
    expect((await t.state("pair", "192.0.2.1", mail, 90_000)).count).toBe(1);
    // The source keeps its six failures (the success is handed back), plus the probe above, still in progress.
    expect((await t.state("source", "192.0.2.1", mail, 90_000)).count).toBe(7);
  });

  it("an attempt that ends void (server busy) is handed back everywhere", async () => {
    const t = new LoginThrottle(5);
    const mail = email();
    for (let i = 0; i < 4; i++) await guess(t, "192.0.2.20", mail, 0);
    const busy = await t.begin("192.0.2.20", mail, 0);
    // Counted in advance: the fifth failure has started a block …
    expect((await t.state("pair", "192.0.2.20", mail, 0)).blockedUntil).toBe(30_000);
    await t.finish(busy.attempt!, "void", 0);
    // … and handing it back lifts it.
    expect(await t.state("pair", "192.0.2.20", mail, 0)).toMatchObject({ count: 4, blockedUntil: 0 });
    expect((await t.state("source", "192.0.2.20", mail, 0)).count).toBe(4);
  });

  it("one source spraying many emails is blocked after 4× the limit", async () => {
    const t = new LoginThrottle(5);
    for (let i = 0; i < 20; i++) await guess(t, "192.0.2.2", email(), 0);
    expect((await t.begin("192.0.2.2", email(), 0)).waitMs).toBe(30_000);
    expect((await t.begin("192.0.2.3", email(), 0)).waitMs).toBe(0);
  });

  it("counts IPv6 sources per /64", async () => {
    const t = new LoginThrottle(5);
    const mail = email();
    for (let i = 0; i < 5; i++) await guess(t, `2001:db8:1:2::${i + 1}`, mail, 0);
    expect((await t.begin("2001:db8:1:2:ffff::9", mail, 0)).waitMs).toBeGreaterThan(0);
  });

  it("two instances on one database together allow no more guesses than one, taking turns", async () => {
    const a = new LoginThrottle(5);
    const b = new LoginThrottle(5, await otherInstance());
    const mail = email();
    let admitted = 0;
    for (let i = 0; i < 20; i++) if (await guess(i % 2 ? b : a, "192.0.2.30", mail, 1000)) admitted += 1;
    expect(admitted).toBe(5);
    // Each instance refuses, whichever counted the last failure.
    expect((await a.begin("192.0.2.30", mail, 1000)).waitMs).toBe(30_000);
    expect((await b.begin("192.0.2.30", mail, 1000)).waitMs).toBe(30_000);
  });

  it("two instances on one database together allow no more guesses than one, in parallel", async () => {
    const a = new LoginThrottle(5);
    const b = new LoginThrottle(5, await otherInstance());
    const mail = email();
    // Every guess is admitted (or not) before any of them is checked: nothing slips through while hashing.
    const gates = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? b : a).begin("192.0.2.31", mail, 1000)));
    expect(gates.filter((g) => g.attempt).length).toBe(5);
    await Promise.all(gates.map((g) => g.attempt && a.finish(g.attempt, "failed", 1000)));
    expect((await b.begin("192.0.2.31", mail, 1000)).waitMs).toBe(30_000);
  });

  it("the first-admin limiter counts every attempt, across instances", async () => {
    const a = new BackoffLimiter("first-admin-test", { threshold: 3, baseMs: 30_000, maxMs: 60_000, forgetMs: 3_600_000 });
    const b = new BackoffLimiter("first-admin-test", a.opts, await otherInstance());
    const waits = [];
    for (let i = 0; i < 6; i++) waits.push(await (i % 2 ? b : a).attempt("192.0.2.40", 5000));
    expect(waits).toEqual([0, 0, 0, 30_000, 30_000, 30_000]);
  });
});

describe("API rate limit in the database", () => {
  it("counts per key in a fixed window", async () => {
    const l = new RequestRateLimiter(2, 10_000);
    const key = `token-${Date.now()}`;
    expect((await l.hit(key, 0)).allowed).toBe(true);
    expect((await l.hit(key, 1)).allowed).toBe(true);
    expect(await l.hit(key, 2000)).toMatchObject({ allowed: false, remaining: 0, retryAfter: 8 });
    expect((await l.hit(`${key}-b`, 2000)).allowed).toBe(true);
    expect((await l.hit(key, 10_001)).allowed).toBe(true);
  });

  it("two instances share one budget per token", async () => {
    const a = new RequestRateLimiter(10, 60_000);
    const b = new RequestRateLimiter(10, 60_000, await otherInstance());
    const key = `shared-${Date.now()}`;
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? b : a).hit(key, 1000)));
    expect(results.filter((r) => r.allowed).length).toBe(10);
    // Refused from the front cache now, without asking the database again, until the window ends.
    expect((await a.hit(key, 30_000)).allowed).toBe(false);
    expect((await b.hit(key, 61_000)).allowed).toBe(true);
  });
});
