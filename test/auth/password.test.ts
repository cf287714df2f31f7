import { describe, expect, it } from "vitest";
import { hashPassword, PasswordBusyError, Semaphore, verifyPassword } from "@/lib/auth/password";

describe("argon2 concurrency bound", () => {
  it("runs at most `limit` at once, queues up to `queue`, refuses the rest at once", async () => {
    const s = new Semaphore(2, 3);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const job = () =>
      s.run(async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise<void>((r) => gates.push(r));
        running -= 1;
        return "done";
      });
    const started = Array.from({ length: 5 }, job);
    await new Promise((r) => setImmediate(r));
    expect(s.active).toBe(2);
    expect(s.queued).toBe(3);
    await expect(job()).rejects.toBeInstanceOf(PasswordBusyError);
    while (gates.length || s.active) {
      gates.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(started)).toEqual(Array(5).fill("done"));
    expect(peak).toBe(2);
    expect(s.active).toBe(0);
  });

  it("priority callers wait in their own queue and are served first; a full normal queue does not refuse them", async () => {
    const s = new Semaphore(1, 2);
    const order: string[] = [];
    let release!: () => void;
    const first = s.run(() => new Promise<void>((r) => (release = r)));
    const normal = [s.run(async () => void order.push("n1")), s.run(async () => void order.push("n2"))];
    await expect(s.run(async () => void order.push("n3"))).rejects.toBeInstanceOf(PasswordBusyError);
    const urgent = s.run(async () => void order.push("p1"), { priority: true });
    release();
    await Promise.all([first, ...normal, urgent]);
    expect(order).toEqual(["p1", "n1", "n2"]);
  });

  it("a failing job frees its slot", async () => {
    const s = new Semaphore(1, 1);
    await expect(s.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await s.run(async () => 42)).toBe(42);
  });

  it("real hashes through the shared bound: a flood beyond the queue is refused, not queued", async () => {
    process.env.PORTCULLIS_ARGON2_CONCURRENCY = "1";
    process.env.PORTCULLIS_ARGON2_QUEUE = "2";
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => hashPassword(`password-number-${i}`)));
    const busy = results.filter((r) => r.status === "rejected" && r.reason instanceof PasswordBusyError);
    const hashed = results.filter((r) => r.status === "fulfilled");
    expect(hashed).toHaveLength(3);
    expect(busy).toHaveLength(5);
    expect(await verifyPassword((hashed[0] as PromiseFulfilledResult<string>).value, "password-number-0")).toBe(true);
  });
});
