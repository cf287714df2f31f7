/**
 * A service token's `last_seen_at`: written when the gateway authenticates a request with it, at most once a minute
 * per token and process (the gateway's hot path only calls a function and compares two numbers; the write runs in
 * the background and never delays or fails a request). Bookkeeping, not a change: no audit event, no version or
 * updated_at bump, so the gateway's configuration fingerprint — and its caches — stay as they are.
 */
import { sql } from "drizzle-orm";
import { getDb } from "../../db/client";

/** How often at most `last_seen_at` is written per token (and per process). */
export const LAST_SEEN_RESOLUTION_MS = 60_000;

const g = globalThis as { __portcullisTokenSeen?: Map<string, number> };

/** Records that the token authenticated a request at `at` (epoch ms); throttled, fire-and-forget. */
export function recordServiceTokenSeen(id: string, at: number): void {
  const written = (g.__portcullisTokenSeen ??= new Map());
  const last = written.get(id);
  if (last !== undefined && at - last < LAST_SEEN_RESOLUTION_MS) return;
  written.set(id, at);
  void writeSeen(id, at).catch((e: Error) => {
    // Try again on the next request rather than a minute later.
    if (written.get(id) === at) written.delete(id);
    console.error("[service-tokens] last_seen_at not written:", e.message);
  });
}

async function writeSeen(id: string, at: number): Promise<void> {
  const db = await getDb();
  // Never backwards (several processes write); a deleted token updates nothing.
  await db.execute(sql`update service_tokens set last_seen_at = ${new Date(at).toISOString()}::timestamptz where id = ${id} and (last_seen_at is null or last_seen_at < ${new Date(at).toISOString()}::timestamptz)`);
}

/** Forget what was written (tests: start each case from a clean throttle). */
export function resetServiceTokenSeen(): void {
  g.__portcullisTokenSeen?.clear();
}
