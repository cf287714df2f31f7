/**
 * Waiting in the gateway tests without fixed sleeps: how long a change took to take effect at the gateway, and
 * polling until a condition holds.
 */

/**
 * How long after `since` a change took effect at the gateway: the start of the earliest poll that saw it. Polls
 * overlap (a new one every 50 ms, at most 8 under way), so the time one poll takes — a curl process on a busy
 * machine can take a second — does not count as propagation. Fails after 8 s.
 */
export function tookEffect(since: number, fn: () => Promise<boolean>, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let best: number | null = null;
    let running = 0;
    let done = false;
    const finish = (v: number | Error) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      if (v instanceof Error) reject(v);
      else resolve(v);
    };
    const poll = () => {
      if (done || running >= 8) return;
      if (Date.now() - since > 8000) return finish(new Error(`timed out waiting for ${what}`));
      const start = Date.now();
      running++;
      fn().then(
        (ok) => {
          running--;
          if (!ok) return;
          best = best === null ? start : Math.min(best, start);
          // Polls started earlier may still be under way: wait for them before answering with the earliest.
          if (running === 0) finish(best - since);
        },
        (e: Error) => finish(e),
      );
    };
    const timer = setInterval(() => {
      if (best !== null && running === 0) finish(best - since);
      else if (best === null) poll();
    }, 50);
    poll();
  });
}

/** Poll `fn` until it returns true (no fixed sleeps); fails after `timeoutMs`. */
export async function until(fn: () => Promise<boolean>, timeoutMs = 5000, what = "condition"): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (await fn()) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
