/** The back-off arithmetic of lib/auth/rate-limit.ts (the database-backed limiters: test/integration/rate-limit.test.ts). */
import { describe, expect, it } from "vitest";
import { addFailure, live, refundFailure, sourceKey, type BackoffState } from "@/lib/auth/rate-limit";

const MIN = 60_000;
const opts = { threshold: 3, baseMs: 1000, maxMs: 8000, forgetMs: 10 * MIN };
const EMPTY: BackoffState = { count: 0, lastAt: 0, blockedUntil: 0, prevBlockedUntil: 0 };
const wait = (s: BackoffState, now: number) => Math.max(0, live(s, opts, now).blockedUntil - now);

describe("back-off", () => {
  it("allows `threshold` failures, then blocks for exponentially longer, up to maxMs", () => {
    let t = 0;
    let s = addFailure(addFailure(EMPTY, opts, t), opts, t);
    expect(wait(s, t)).toBe(0);
    s = addFailure(s, opts, t);
    expect(wait(s, t)).toBe(1000);
    const blocks: number[] = [];
    for (let i = 0; i < 5; i++) {
      t += wait(s, t);
      expect(wait(s, t)).toBe(0);
      s = addFailure(s, opts, t);
      blocks.push(wait(s, t));
    }
    expect(blocks).toEqual([2000, 4000, 8000, 8000, 8000]);
  });

  it("forgets a key forgetMs after its last failure, never while it is blocked", () => {
    let s = EMPTY;
    for (let i = 0; i < 3; i++) s = addFailure(s, opts, 0);
    expect(live(s, opts, 9 * MIN).count).toBe(3);
    expect(live(s, opts, 10 * MIN).count).toBe(0);
    // A failure after the key was forgotten starts again from one.
    expect(addFailure(s, opts, 10 * MIN).count).toBe(1);
    const long = { ...opts, forgetMs: 500 };
    let b = EMPTY;
    for (let i = 0; i < 3; i++) b = addFailure(b, long, 0);
    expect(live(b, long, 999).count).toBe(3);
    expect(live(b, long, 1000).count).toBe(0);
  });

  it("a failure handed back lifts the block it started, and only that one", () => {
    let s = EMPTY;
    for (let i = 0; i < 2; i++) s = addFailure(s, opts, 0);
    const counted = addFailure(s, opts, 100);
    expect(wait(counted, 100)).toBe(1000);
    expect(refundFailure(counted, counted)).toMatchObject({ count: 2, blockedUntil: 0 });
    // A later failure moved the block on: handing back the earlier one keeps the later block.
    const later = addFailure(counted, opts, 200);
    expect(refundFailure(later, counted)).toMatchObject({ count: 3, blockedUntil: later.blockedUntil });
  });

  it("counts IPv6 sources per /64, and IPv4-mapped IPv6 as IPv4", () => {
    expect(sourceKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("2001:0db8:0001:0002:ffff:1:2:3")).toBe("2001:db8:1:2::/64");
    expect(sourceKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(sourceKey("::ffff:192.0.2.1")).toBe("192.0.2.1");
  });
});
