/**
 * Fixed-window failure counter for sign-in (per IP+email, and per email alone so that a spoofed
 * X-Forwarded-For cannot buy unlimited guesses). In-process: each instance limits on its own.
 */
interface Window {
  count: number;
  resetAt: number;
}

export class FailureLimiter {
  private windows = new Map<string, Window>();
  constructor(
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Seconds until the key may try again, or 0 when allowed. */
  blockedFor(key: string, now = Date.now()): number {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) return 0;
    return w.count >= this.max ? Math.ceil((w.resetAt - now) / 1000) : 0;
  }

  fail(key: string, now = Date.now()): void {
    const w = this.windows.get(key);
    if (!w || w.resetAt <= now) this.windows.set(key, { count: 1, resetAt: now + this.windowMs });
    else w.count += 1;
    if (this.windows.size > 50_000) this.sweep(now);
  }

  reset(key: string): void {
    this.windows.delete(key);
  }

  private sweep(now: number): void {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

const g = globalThis as { __portcullisLoginLimiters?: { pair: FailureLimiter; email: FailureLimiter } };

export function loginLimiters() {
  const windowMs = 15 * 60 * 1000;
  return (g.__portcullisLoginLimiters ??= {
    pair: new FailureLimiter(Number(process.env.PORTCULLIS_LOGIN_MAX_FAILURES || 5), windowMs),
    email: new FailureLimiter(Number(process.env.PORTCULLIS_LOGIN_MAX_FAILURES || 5) * 4, windowMs),
  });
}
