/**
 * Exponential back-off as plain arithmetic on one key's stored state (no database, no clock of its own): when a
 * key is forgotten, what one more failure does, how a failure counted in advance is handed back, and the source key
 * an address is counted under. ./rate-limit keeps these states in the database.
 */

export interface BackoffOptions {
  /** Failures allowed before the first block. */
  threshold: number;
  /** First block; each further failure doubles it. */
  baseMs: number;
  /** Longest block. */
  maxMs: number;
  /** A key is forgotten this long after its last failure (once no block is running). */
  forgetMs: number;
}

/** One key's stored state (times in epoch ms; 0 = none). */
export interface BackoffState {
  count: number;
  lastAt: number;
  blockedUntil: number;
  prevBlockedUntil: number;
}

/** No failures: the state of a key never seen, or forgotten. */
export const EMPTY: BackoffState = { count: 0, lastAt: 0, blockedUntil: 0, prevBlockedUntil: 0 };

/** The state as of `now`: a key whose block is over and whose last failure is forgetMs old is forgotten. */
export function live(s: BackoffState, o: BackoffOptions, now: number): BackoffState {
  return s.count > 0 && (now < s.blockedUntil || now - s.lastAt < o.forgetMs) ? s : EMPTY;
}

/** One more failure: blocked once `threshold` failures are reached, twice as long for each one after. */
export function addFailure(s: BackoffState, o: BackoffOptions, now: number): BackoffState {
  const count = live(s, o, now).count + 1;
  const over = count - o.threshold;
  const blockedUntil = over >= 0 ? Math.max(s.blockedUntil, now + Math.min(o.maxMs, o.baseMs * 2 ** Math.min(over, 30))) : s.blockedUntil;
  return { count, lastAt: now, blockedUntil, prevBlockedUntil: s.blockedUntil };
}

/**
 * Hand back a failure counted in advance (`counted` is the state that counting produced): one failure fewer, and the
 * block it started is lifted unless a later failure has changed the block since.
 */
export function refundFailure(s: BackoffState, counted: BackoffState): BackoffState {
  return {
    ...s,
    count: Math.max(0, s.count - 1),
    blockedUntil: s.blockedUntil === counted.blockedUntil ? counted.prevBlockedUntil : s.blockedUntil,
  };
}

/** When a key's row may be deleted: once its block is over and forgetMs have passed since its last failure. */
export const forgetAt = (s: BackoffState, o: BackoffOptions) => Math.max(s.blockedUntil, s.lastAt + o.forgetMs);

/**
 * The source key: an IPv4 address, or the /64 of an IPv6 address (one subscriber usually holds a whole /64,
 * so counting single IPv6 addresses would give an attacker billions of fresh sources).
 */
export function sourceKey(ip: string): string {
  const addr = ip.trim().toLowerCase().replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, "");
  if (!addr.includes(":")) return addr;
  const [head, tail = ""] = addr.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = addr.includes("::") ? [...h, ...Array(Math.max(0, 8 - h.length - t.length)).fill("0"), ...t] : h;
  return `${groups.slice(0, 4).map((g) => g.replace(/^0+(?=.)/, "")).join(":")}::/64`;
}
