/**
 * Sign-in throttling with exponential back-off, kept in the database (table rate_limits) so that several web
 * instances on one PostgreSQL share one count: guessing does not multiply with the instance count. PGlite (one
 * process) uses the same table.
 *
 * An attempt is counted as a failure *before* the password is checked, in the same transaction that decides whether
 * it may run (rows locked in key order), and handed back once it turns out not to have been one (right password,
 * server busy, error). So parallel guesses cannot slip through while earlier ones are still being hashed, on one
 * instance or on several.
 *
 * Our own rather than rate-limiter-flexible's drizzle/Postgres stores: those count in fixed windows that start at
 * the first failure, so a guesser gets fresh free attempts every window; here a key is forgotten only an hour after
 * its *last* failure (and never while blocked), blocks double per failure, and the three views below are decided
 * together in one transaction.
 *
 * The only in-process state: a front cache of blocks this process has seen (refusing from it can only be stricter
 * than the database, never looser), and the sources that signed in lately (priority when the server is busy).
 *
 * The back-off arithmetic is ./backoff; the table, its locking transaction and the block cache ./rate-limit-store.
 */
import { eq } from "drizzle-orm";
import { getDb } from "../db/client";
import { rateLimits } from "../db/schema";
import { env } from "../env.mjs";
import { addFailure, EMPTY, forgetAt, live, refundFailure, sourceKey, type BackoffOptions, type BackoffState } from "./backoff";
import { BlockCache, withLockedKeys, type DbSource } from "./rate-limit-store";

export { addFailure, live, refundFailure, sourceKey, type BackoffOptions, type BackoffState } from "./backoff";
export { pruneRateLimits, type DbSource } from "./rate-limit-store";

/** One back-off key where every attempt counts (the public first-admin form): attempt() refuses or counts. */
export class BackoffLimiter {
  private readonly cache = new BlockCache();
  constructor(
    readonly prefix: string,
    readonly opts: BackoffOptions,
    private readonly db: DbSource = getDb,
  ) {}

  /** 0 when this attempt may run (it is counted), else the milliseconds to wait (nothing counted). */
  async attempt(key: string, now = Date.now()): Promise<number> {
    const k = `${this.prefix}:${key}`;
    const cached = this.cache.waitMs(k, now);
    if (cached > 0) return cached;
    const wait = await withLockedKeys(await this.db(), [k], now, (states) => {
      const s = live(states.get(k) ?? EMPTY, this.opts, now);
      if (s.blockedUntil > now) return { result: s.blockedUntil - now, write: new Map() };
      const next = addFailure(s, this.opts, now);
      this.cache.note(k, next.blockedUntil, now);
      return { result: 0, write: new Map([[k, { state: next, forgetAt: forgetAt(next, this.opts) }]]) };
    });
    if (wait > 0) this.cache.note(k, now + wait, now);
    return wait;
  }
}

/** An admitted sign-in attempt, counted as a failure until finish() says otherwise. */
export interface SignInAttempt {
  readonly keys: { pair: string; source: string; email: string };
  readonly src: string;
  /** The states counting produced, to hand the failure back precisely. */
  readonly counted: Map<string, BackoffState>;
}

export type SignInGate = { waitMs: number; attempt: null } | { waitMs: 0; attempt: SignInAttempt };

/**
 * Three views of failed sign-ins:
 * - source + email: the classic guessing limit (threshold PORTCULLIS_LOGIN_MAX_FAILURES);
 * - source: spraying many emails from one place (4× that);
 * - email: guessing one account from many places (4× that). It only ever blocks sources that have failed
 *   themselves, so an attacker cannot lock the real user out: a correct password from a source without
 *   failures still signs in, whatever happens to the account elsewhere.
 */
export class LoginThrottle {
  readonly pairOpts: BackoffOptions;
  readonly wideOpts: BackoffOptions;
  private readonly cache = new BlockCache();
  /** Sources that signed in successfully lately (least recent first), for priority when the server is busy. */
  private trusted = new Map<string, number>();

  constructor(
    readonly maxFailures = 5,
    private readonly db: DbSource = getDb,
    private readonly maxTrusted = 50_000,
  ) {
    const common = { baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };
    this.pairOpts = { ...common, threshold: maxFailures };
    this.wideOpts = { ...common, threshold: maxFailures * 4 };
  }

  private keysOf(ip: string, email: string) {
    const src = sourceKey(ip);
    return { src, keys: { pair: `login:pair:${src}|${email}`, source: `login:source:${src}`, email: `login:email:${email}` } };
  }

  private optsOf(key: string): BackoffOptions {
    return key.startsWith("login:pair:") ? this.pairOpts : this.wideOpts;
  }

  /**
   * Admit a sign-in attempt (counted as a failure from now on, until finish()) or refuse it with the wait.
   * A source that has not failed itself is never held back by the email view.
   */
  async begin(ip: string, email: string, now = Date.now()): Promise<SignInGate> {
    const { src, keys } = this.keysOf(ip, email);
    const cached = Math.max(this.cache.waitMs(keys.pair, now), this.cache.waitMs(keys.source, now));
    if (cached > 0) return { waitMs: cached, attempt: null };
    const all = [keys.pair, keys.source, keys.email];
    return withLockedKeys<SignInGate>(await this.db(), all, now, (stored) => {
      const states = new Map(all.map((k) => [k, live(stored.get(k) ?? EMPTY, this.optsOf(k), now)]));
      const blocked = (k: string) => Math.max(0, states.get(k)!.blockedUntil - now);
      const own = Math.max(blocked(keys.pair), blocked(keys.source));
      const waitMs = states.get(keys.source)!.count > 0 ? Math.max(own, blocked(keys.email)) : own;
      for (const k of [keys.pair, keys.source]) this.cache.note(k, states.get(k)!.blockedUntil, now);
      if (waitMs > 0) return { result: { waitMs, attempt: null }, write: new Map() };
      const counted = new Map(all.map((k) => [k, addFailure(states.get(k)!, this.optsOf(k), now)]));
      const write = new Map(all.map((k) => [k, { state: counted.get(k)!, forgetAt: forgetAt(counted.get(k)!, this.optsOf(k)) }]));
      return { result: { waitMs: 0, attempt: { keys, src, counted } }, write };
    });
  }

  /**
   * How the attempt ended. "failed": it stays counted. "succeeded": the source+email count is cleared and the
   * source and email counts get their failure back (clearing them instead would let an attacker who owns one
   * account wash their address clean between guesses at another). "void" (server busy, an error): nothing was
   * guessed, every count gets its failure back.
   */
  async finish(attempt: SignInAttempt, outcome: "failed" | "succeeded" | "void", now = Date.now()): Promise<void> {
    if (outcome === "failed") return;
    const { keys, counted } = attempt;
    const all = [keys.pair, keys.source, keys.email];
    await withLockedKeys(await this.db(), all, now, (stored) => {
      const write = new Map<string, { state: BackoffState; forgetAt: number }>();
      for (const k of all) {
        const s = stored.get(k) ?? EMPTY;
        const next = outcome === "succeeded" && k === keys.pair ? EMPTY : refundFailure(s, counted.get(k)!);
        write.set(k, { state: next, forgetAt: next.count > 0 ? forgetAt(next, this.optsOf(k)) : now });
      }
      return { result: undefined, write };
    });
    if (outcome === "succeeded") {
      this.trusted.delete(attempt.src);
      this.trusted.set(attempt.src, now);
      if (this.trusted.size > this.maxTrusted) this.trusted.delete(this.trusted.keys().next().value!);
    }
  }

  /** Whether this source signed in successfully here in the last 30 days (priority only: never admits anything). */
  isTrusted(ip: string, now = Date.now()): boolean {
    const src = sourceKey(ip);
    const at = this.trusted.get(src);
    return at !== undefined && now - at < 30 * 24 * 60 * 60_000 && this.cache.waitMs(`login:source:${src}`, now) === 0;
  }

  /** The stored state of one view, as of `now` (tests, diagnostics). */
  async state(view: "pair" | "source" | "email", ip: string, email: string, now = Date.now()): Promise<BackoffState> {
    const key = this.keysOf(ip, email).keys[view];
    const [row] = await (await this.db()).select().from(rateLimits).where(eq(rateLimits.key, key));
    return live(row ?? EMPTY, this.optsOf(key), now);
  }
}

const g = globalThis as { __portcullisLoginThrottle?: LoginThrottle; __portcullisFirstAdminLimiter?: BackoffLimiter };

/** Attempts (not failures) at the public first-admin action, per source. */
export function firstAdminLimiter(): BackoffLimiter {
  return (g.__portcullisFirstAdminLimiter ??= new BackoffLimiter("first-admin", { threshold: 10, baseMs: 30_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 }));
}

export function loginThrottle(): LoginThrottle {
  const max = env().PORTCULLIS_LOGIN_MAX_FAILURES ?? 5;
  if (g.__portcullisLoginThrottle?.maxFailures !== max) g.__portcullisLoginThrottle = new LoginThrottle(max);
  return g.__portcullisLoginThrottle;
}

/** "2 minute(s)" style wording for a wait, at least one second. */
export function describeWait(ms: number): string {
  const s = Math.max(1, Math.ceil(ms / 1000));
  return s < 60 ? `${s} second${s === 1 ? "" : "s"}` : `${Math.ceil(s / 60)} minute${Math.ceil(s / 60) === 1 ? "" : "s"}`;
}
