/**
 * Fixed-window request counter per API token (in-process; each instance limits on its own).
 * PORTCULLIS_API_RATE_LIMIT: "1200" (per 5 minutes), "1200/300" (per 300 s) or "100/1m".
 */
export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window resets (≥1 when refused). */
  retryAfter: number;
}

export class RequestRateLimiter {
  private windows = new Map<string, { count: number; resetAt: number }>();
  constructor(
    readonly max: number,
    readonly windowMs: number,
  ) {}

  hit(key: string, now = Date.now()): RateDecision {
    let w = this.windows.get(key);
    if (!w || w.resetAt <= now) {
      w = { count: 0, resetAt: now + this.windowMs };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.sweep(now);
    }
    w.count += 1;
    const retryAfter = Math.max(1, Math.ceil((w.resetAt - now) / 1000));
    return { allowed: w.count <= this.max, limit: this.max, remaining: Math.max(0, this.max - w.count), retryAfter };
  }

  private sweep(now: number) {
    for (const [k, w] of this.windows) if (w.resetAt <= now) this.windows.delete(k);
  }
}

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600 };

export function parseRateLimit(raw: string | undefined): { max: number; windowSeconds: number } {
  const fallback = { max: 1200, windowSeconds: 300 };
  if (!raw?.trim()) return fallback;
  const m = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*([smh])?\s*)?$/.exec(raw);
  if (!m) return fallback;
  const max = Number(m[1]);
  const windowSeconds = m[2] ? Number(m[2]) * (UNITS[m[3] ?? "s"] ?? 1) : 300;
  if (max < 1 || windowSeconds < 1) return fallback;
  return { max, windowSeconds };
}

const g = globalThis as { __portcullisApiLimiter?: { config: string; limiter: RequestRateLimiter } };

/** The process-wide limiter; rebuilt when the configuration changes (tests lower it). */
export function apiRateLimiter(): RequestRateLimiter {
  const config = process.env.PORTCULLIS_API_RATE_LIMIT ?? "";
  if (!g.__portcullisApiLimiter || g.__portcullisApiLimiter.config !== config) {
    const { max, windowSeconds } = parseRateLimit(config);
    g.__portcullisApiLimiter = { config, limiter: new RequestRateLimiter(max, windowSeconds * 1000) };
  }
  return g.__portcullisApiLimiter.limiter;
}
