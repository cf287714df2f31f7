/**
 * Requests for hostnames that no certificate or application knows (random Host headers): counted per UTC hour in
 * unknown_host_hourly instead of one access-log row each, so a flood of them neither fills the log nor costs a
 * database write per request. Counts are kept in memory and added to the hour's row in one statement per flush.
 */
import { desc, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { unknownHostHourly } from "../../db/schema";

const HOUR_MS = 3_600_000;
interface UnknownCounts {
  /** UTC hour (ms since epoch) → requests counted and the last hostname seen */
  hours: Map<number, { requests: number; sample: string }>;
  timer: NodeJS.Timeout | null;
  flushing: Promise<void> | null;
}
const gu = globalThis as { __portcullisUnknownHosts?: UnknownCounts };
const u = (gu.__portcullisUnknownHosts ??= { hours: new Map(), timer: null, flushing: null });
const UNKNOWN_FLUSH_MS = 1000;

/** The UTC hour containing `ms`, as ms since the epoch. */
export const utcHour = (ms: number) => Math.floor(ms / HOUR_MS) * HOUR_MS;

/** Count `requests` requests for unknown hostnames in the hour of `at` (`sample` = one of the hostnames); returns at once. */
export function recordUnknownHost(sample: string, at: number = Date.now(), requests = 1): void {
  if (!(requests > 0)) return;
  const hour = utcHour(at);
  const clipped = sample.slice(0, 253);
  const c = u.hours.get(hour);
  if (c) {
    c.requests += requests;
    c.sample = clipped;
  } else u.hours.set(hour, { requests, sample: clipped });
  if (!u.timer) {
    u.timer = setTimeout(() => void flushUnknownHosts(), UNKNOWN_FLUSH_MS);
    u.timer.unref();
  }
}

/** Add the counted requests to unknown_host_hourly. */
export async function flushUnknownHosts(): Promise<void> {
  if (u.timer) {
    clearTimeout(u.timer);
    u.timer = null;
  }
  while (u.flushing) await u.flushing;
  if (!u.hours.size) return;
  const pending = u.hours;
  u.hours = new Map();
  u.flushing = (async () => {
    const rows = JSON.stringify([...pending].map(([hour, c]) => ({ hour: new Date(hour), requests: c.requests, sample: c.sample.replaceAll("\0", "") })));
    try {
      const db = await getDb();
      await db.execute(sql`insert into ${unknownHostHourly} (hour, requests, sample)
        select hour, requests, sample from json_to_recordset(${rows}::json) as x(hour timestamptz, requests bigint, sample text)
        on conflict (hour) do update set requests = ${unknownHostHourly}.requests + excluded.requests, sample = excluded.sample`);
    } catch (e) {
      // Keep the counts for the next attempt (a handful of numbers, one per hour).
      for (const [hour, c] of pending) {
        const now = u.hours.get(hour);
        if (now) now.requests += c.requests;
        else u.hours.set(hour, c);
      }
      console.error("[access-log] unknown-host counts not written:", (e as Error).message);
      if (!u.timer) {
        u.timer = setTimeout(() => void flushUnknownHosts(), 2000);
        u.timer.unref();
      }
    }
  })().finally(() => {
    u.flushing = null;
  });
  await u.flushing;
}

/** Requests for unknown hostnames per UTC hour, newest first. */
export async function listUnknownHostHours(limit = 48): Promise<{ hour: string; requests: number; sample: string | null }[]> {
  const db = await getDb();
  const rows = await db.select().from(unknownHostHourly).orderBy(desc(unknownHostHourly.hour)).limit(limit);
  return rows.map((r) => ({ hour: r.hour.toISOString(), requests: Number(r.requests), sample: r.sample }));
}
