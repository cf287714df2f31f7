/**
 * Fixed-window request counter per API token, kept in the database (table rate_limits) so that several web
 * instances on one PostgreSQL share one budget per token. PORTCULLIS_API_RATE_LIMIT: "1200" (per 5 minutes),
 * "1200/300" (per 300 s) or "100/1m" (validated at start-up, lib/env.mjs).
 *
 * One atomic upsert per request. rate-limiter-flexible's RateLimiterDrizzle does the same upsert and works over our
 * drizzle handle on both engines, but it loads drizzle-orm through a computed dynamic import that the Next.js bundler
 * cannot follow (so the server would run a second copy of drizzle-orm from node_modules against the bundled one),
 * and was not faster in our measurement; these dozen lines are kept instead.
 *
 * In process only a front cache of refusals: once the database said a token is over its budget, this process
 * refuses it until the window ends without asking again (never looser than the database).
 */
import { sql } from "drizzle-orm";
import { getDb } from "../db/client";
import { rateLimits } from "../db/schema";
import { env } from "../env.mjs";
import { pruneRateLimits, type DbSource } from "../auth/rate-limit";

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥1 when refused). */
  retryAfter: number;
}

export class RequestRateLimiter {
  /** Keys refused by the database, until their window ends. */
  private refused = new Map<string, number>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly db: DbSource = getDb,
  ) {}

  async hit(key: string, now = Date.now()): Promise<RateDecision> {
    const retryAfter = (resetAt: number) => Math.max(1, Math.ceil((resetAt - now) / 1000));
    const until = this.refused.get(key);
    if (until !== undefined && until > now) return { allowed: false, limit: this.max, remaining: 0, retryAfter: retryAfter(until) };
    this.refused.delete(key);
    // The window is part of the key: a new configuration starts new counts, as a restart with it would.
    const k = `api:${this.max}/${this.windowMs}:${key}`;
    const db = await this.db();
    const fresh = sql`${rateLimits.forgetAt} <= ${now}`;
    const [row] = await db
      .insert(rateLimits)
      .values({ key: k, count: 1, lastAt: now, forgetAt: now + this.windowMs })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          count: sql`case when ${fresh} then 1 else ${rateLimits.count} + 1 end`,
          lastAt: sql`case when ${fresh} then ${now} else ${rateLimits.lastAt} end`,
          forgetAt: sql`case when ${fresh} then ${now + this.windowMs} else ${rateLimits.forgetAt} end`,
        },
      })
      .returning({ count: rateLimits.count, resetAt: rateLimits.forgetAt });
    pruneRateLimits(db, now);
    const allowed = row.count <= this.max;
    if (!allowed) {
      this.refused.set(key, row.resetAt);
      if (this.refused.size > 10_000) this.refused.delete(this.refused.keys().next().value!);
    }
    return { allowed, limit: this.max, remaining: Math.max(0, this.max - row.count), retryAfter: retryAfter(row.resetAt) };
  }
}

const DEFAULT_RATE_LIMIT = { max: 1200, windowSeconds: 300 };

const g = globalThis as { __portcullisApiLimiter?: { max: number; windowSeconds: number; limiter: RequestRateLimiter } };

/** The process-wide limiter; rebuilt when the configuration changes (tests lower it). */
export function apiRateLimiter(): RequestRateLimiter {
  const { max, windowSeconds } = env().PORTCULLIS_API_RATE_LIMIT ?? DEFAULT_RATE_LIMIT;
  const current = g.__portcullisApiLimiter;
  if (!current || current.max !== max || current.windowSeconds !== windowSeconds) {
    g.__portcullisApiLimiter = { max, windowSeconds, limiter: new RequestRateLimiter(max, windowSeconds * 1000) };
  }
  return g.__portcullisApiLimiter!.limiter;
}
