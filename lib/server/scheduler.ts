import { getDbHandle } from "../db/client";
import { evaluateAlerts } from "../domain/alerts";
import { processDueNotifications } from "../domain/notifications";

/**
 * Background alert work in the server process: evaluate alerts at start-up and every hour
 * (PORTCULLIS_ALERT_INTERVAL_MS), deliver due notifications every 30 s. One job at a time per process
 * (single flight); across PostgreSQL instances a session advisory lock lets only one instance work per
 * tick. Timers are unref'd and every error is logged, never thrown.
 */
const ALERT_LOCK_KEY = 727272;
const DEFAULT_INTERVAL_MS = 3_600_000;
const RETRY_TICK_MS = 30_000;

interface SchedulerState {
  timers: NodeJS.Timeout[];
  running: Promise<void> | null;
  /** A job of this kind that is queued and not started yet: a new request joins it. */
  queued: Partial<Record<"cycle" | "delivery", Promise<void>>>;
}
const g = globalThis as { __portcullisAlertScheduler?: SchedulerState };

function intervalMs(): number {
  const n = Number(process.env.PORTCULLIS_ALERT_INTERVAL_MS);
  return Number.isFinite(n) && n >= 1000 ? n : DEFAULT_INTERVAL_MS;
}

interface PgPoolLike {
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>; release(): void }>;
}

/** Run `fn` only if this instance holds the cluster-wide alert lock (PostgreSQL); PGlite is single-process. */
async function withClusterLock(fn: () => Promise<void>): Promise<void> {
  const handle = await getDbHandle();
  if (handle.engine !== "postgres") return fn();
  const client = await (handle.raw as PgPoolLike).connect();
  try {
    const { rows } = await client.query("select pg_try_advisory_lock($1) as locked", [ALERT_LOCK_KEY]);
    if (!rows[0]?.locked) return;
    try {
      await fn();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [ALERT_LOCK_KEY]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}

function state(): SchedulerState {
  return (g.__portcullisAlertScheduler ??= { timers: [], running: null, queued: {} });
}

/**
 * Single flight: while a job runs, another request waits for it instead of starting a second one
 * (a full evaluation requested during a delivery-only tick runs right after it).
 */
function runExclusive(kind: "cycle" | "delivery", job: () => Promise<void>): Promise<void> {
  const s = state();
  const pending = s.queued[kind];
  if (pending) return pending;
  const start = () => {
    if (s.queued[kind] === tracked) delete s.queued[kind];
    return job();
  };
  const previous = s.running ?? Promise.resolve();
  const next = previous.then(start, start);
  const tracked = next.finally(() => {
    if (s.running === tracked) s.running = null;
  });
  s.running = tracked;
  s.queued[kind] = tracked;
  return tracked;
}

/** Evaluate alerts, then deliver due notifications. Never rejects. */
export function runAlertCycle(now?: () => Date): Promise<void> {
  return runExclusive("cycle", () =>
    withClusterLock(async () => {
      const at = now?.() ?? new Date();
      const evaluated = await evaluateAlerts(at);
      if (evaluated.raised.length || evaluated.resolved.length) {
        console.log(`[alerts] raised ${evaluated.raised.length}, resolved ${evaluated.resolved.length}`);
      }
      await deliver(now?.() ?? new Date());
    }).catch((err) => console.error("[alerts] evaluation failed:", err instanceof Error ? err.message : err)),
  );
}

/** Deliver due notifications (retries). Never rejects. */
export function runDeliveryTick(now?: () => Date): Promise<void> {
  return runExclusive("delivery", () =>
    withClusterLock(() => deliver(now?.() ?? new Date())).catch((err) =>
      console.error("[alerts] notification delivery failed:", err instanceof Error ? err.message : err),
    ),
  );
}

async function deliver(at: Date) {
  const run = await processDueNotifications(at);
  if (run.attempted) console.log(`[alerts] notifications: ${run.delivered} delivered, ${run.failed} failed`);
}

/** Start (or restart) the timers; the first evaluation runs at once. Idempotent across hot reloads. */
export function startAlertScheduler(): void {
  stopAlertScheduler();
  const s = state();
  void runAlertCycle();
  const hourly = setInterval(() => void runAlertCycle(), intervalMs());
  const retries = setInterval(() => void runDeliveryTick(), RETRY_TICK_MS);
  hourly.unref();
  retries.unref();
  s.timers.push(hourly, retries);
}

export function stopAlertScheduler(): void {
  const s = state();
  for (const t of s.timers) clearInterval(t);
  s.timers = [];
}

/** Wait for the job in progress, if any (tests, shutdown). */
export async function alertSchedulerIdle(): Promise<void> {
  while (state().running) await state().running;
}
