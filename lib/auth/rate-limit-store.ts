/**
 * The back-off states in the database (table rate_limits), shared by every web instance on one PostgreSQL: keys
 * locked in key order and decided on in one transaction, forgotten rows pruned now and then, and the in-process
 * cache of blocks that lets a process refuse without a round trip (never looser than the database).
 */
import { inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { rateLimits } from "../db/schema";
import type { BackoffState } from "./backoff";

/** How the limiters reach the database: the process's handle unless a test gives its own ("another instance"). */
export type DbSource = () => Promise<Db>;

const PRUNE_EVERY_MS = 10 * 60_000;
const pruned = globalThis as { __portcullisRateLimitPrunedAt?: number };

/** Delete forgotten rows, at most every ten minutes per process, without holding up the caller. */
export function pruneRateLimits(db: Db, now: number): void {
  if (now - (pruned.__portcullisRateLimitPrunedAt ?? 0) < PRUNE_EVERY_MS) return;
  pruned.__portcullisRateLimitPrunedAt = now;
  db.delete(rateLimits)
    .where(lt(rateLimits.forgetAt, now))
    .catch((err: Error) => console.error("[rate-limit] pruning failed:", err.message));
}

/**
 * Lock `keys` (inserted when missing, locked in key order so that concurrent callers cannot deadlock), hand their
 * live states to `decide`, and store what it returns, all in one transaction.
 */
export async function withLockedKeys<T>(
  db: Db,
  keys: string[],
  now: number,
  decide: (states: Map<string, BackoffState>) => { result: T; write: Map<string, { state: BackoffState; forgetAt: number }> },
): Promise<T> {
  const sorted = [...new Set(keys)].sort();
  const out = await db.transaction(async (tx) => {
    await tx
      .insert(rateLimits)
      .values(sorted.map((key) => ({ key, forgetAt: now + 60_000 })))
      .onConflictDoNothing();
    const rows = await tx.select().from(rateLimits).where(inArray(rateLimits.key, sorted)).orderBy(rateLimits.key).for("update");
    const states = new Map(rows.map((r) => [r.key, { count: r.count, lastAt: r.lastAt, blockedUntil: r.blockedUntil, prevBlockedUntil: r.prevBlockedUntil }]));
    const { result, write } = decide(states);
    if (write.size > 0) {
      // One statement for every changed key (a round trip each would double the transaction's time).
      const rows = [...write].map(
        ([key, { state: s, forgetAt: f }]) => sql`(${key}, ${s.count}::integer, ${s.lastAt}::bigint, ${s.blockedUntil}::bigint, ${s.prevBlockedUntil}::bigint, ${f}::bigint)`,
      );
      await tx.execute(sql`
        update ${rateLimits} set count = v.count, last_at = v.last_at, blocked_until = v.blocked_until,
          prev_blocked_until = v.prev_blocked_until, forget_at = v.forget_at
        from (values ${sql.join(rows, sql`, `)}) as v(key, count, last_at, blocked_until, prev_blocked_until, forget_at)
        where ${rateLimits.key} = v.key`);
    }
    return result;
  });
  pruneRateLimits(db, now);
  return out;
}

/** Blocks this process has seen, newest last; bounded. Refusing from here is never looser than the database. */
export class BlockCache {
  private blocks = new Map<string, number>();
  constructor(private readonly max = 10_000) {}
  note(key: string, blockedUntil: number, now: number): void {
    if (blockedUntil <= now) return;
    this.blocks.delete(key);
    this.blocks.set(key, blockedUntil);
    if (this.blocks.size > this.max) this.blocks.delete(this.blocks.keys().next().value!);
  }
  waitMs(key: string, now: number): number {
    const until = this.blocks.get(key);
    if (until === undefined) return 0;
    if (until <= now) this.blocks.delete(key);
    return Math.max(0, until - now);
  }
}
