import { getDbHandle } from "../db/client";
import { env } from "../env.mjs";
import { evaluateAlerts } from "../domain/alerts";
import { processDueNotifications } from "../domain/alerts/notifications";
import { pruneLogs } from "../domain/retention";
import { refreshDueCrls } from "../domain/crls/refresh";

/**
 * Background alert work in the server process: evaluate alerts at start-up and every hour
 * (PORTCULLIS_ALERT_INTERVAL_MS), deliver due notifications every 30 s. One job at a time per process
 * (single flight); across PostgreSQL instances a session advisory lock lets only one instance work per
 * tick. Timers are unref'd and every error is logged, never thrown.
 *
 * Log retention (lib/domain/retention) runs on the same schedule (at start-up, then every
 * PORTCULLIS_RETENTION_INTERVAL_MS, default one hour) but in its own single flight and under its own lock, so a long
 * prune of a big log never delays alert delivery.
 */
const ALERT_LOCK_KEY = 727272;
const RETENTION_LOCK_KEY = 727273;
const CRL_LOCK_KEY = 727274;
/** How often due CRL downloads are looked for (each CRL's own schedule is 1 hour to 1 day: lib/domain/crls/refresh). */
const CRL_TICK_MS = 60_000;
const DEFAULT_INTERVAL_MS = 3_600_000;
const RETRY_TICK_MS = 30_000;

interface SchedulerState {
  timers: NodeJS.Timeout[];
  running: Promise<void> | null;
  /** The retention run in progress; a request meanwhile joins it. */
  pruning?: Promise<void> | null;
  /** The CRL download pass in progress (its own single flight and lock: a slow CA server never delays alerts). */
  fetchingCrls?: Promise<void> | null;
  /** A job of this kind that is queued and not started yet: a new request joins it. */
  queued: Partial<Record<"cycle" | "delivery", Promise<void>>>;
}
const g = globalThis as { __portcullisAlertScheduler?: SchedulerState };

function intervalMs(name: "PORTCULLIS_ALERT_INTERVAL_MS" | "PORTCULLIS_RETENTION_INTERVAL_MS" = "PORTCULLIS_ALERT_INTERVAL_MS"): number {
  return env()[name] ?? DEFAULT_INTERVAL_MS;
}

interface PgPoolLike {
  connect(): Promise<{ query(sql: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>; release(): void }>;
}

/** Run `fn` only if this instance holds the cluster-wide alert lock (PostgreSQL); PGlite is single-process. */
async function withClusterLock(fn: () => Promise<void>, key = ALERT_LOCK_KEY): Promise<void> {
  const handle = await getDbHandle();
  if (handle.engine !== "postgres") return fn();
  const client = await (handle.raw as PgPoolLike).connect();
  try {
    const { rows } = await client.query("select pg_try_advisory_lock($1) as locked", [key]);
    if (!rows[0]?.locked) return;
    try {
      await fn();
    } finally {
      await client.query("select pg_advisory_unlock($1)", [key]).catch(() => undefined);
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

/** Apply the log retention settings once (single flight; one instance per cluster). Never rejects. */
export function runRetention(now?: () => Date): Promise<void> {
  const s = state();
  if (s.pruning) return s.pruning;
  const run = withClusterLock(async () => {
    const r = await pruneLogs({ now: now?.() });
    const access = r.accessLog.byAge + r.accessLog.byRowLimit;
    const audit = r.auditLog.byAge + r.auditLog.byRowLimit;
    if (access || audit || r.accessLogHourly || r.unknownHostHourly) {
      console.log(`[retention] pruned ${access} access-log rows, ${audit} audit events, ${r.accessLogHourly + r.unknownHostHourly} hourly counts`);
    }
  }, RETENTION_LOCK_KEY)
    .catch((err) => console.error("[retention] pruning failed:", err instanceof Error ? err.message : err))
    .finally(() => {
      if (s.pruning === run) s.pruning = null;
    });
  s.pruning = run;
  return run;
}

/** Download the CRLs whose refresh is due (lib/domain/crls/refresh). Single flight; one instance per cluster. Never rejects. */
export function runCrlRefresh(now?: () => Date): Promise<void> {
  const s = state();
  if (s.fetchingCrls) return s.fetchingCrls;
  const run = withClusterLock(async () => {
    const done = await refreshDueCrls(now?.());
    for (const d of done) if (!d.outcome.ok) console.warn(`[crls] download for certificate ${d.id} failed: ${d.outcome.error}`);
  }, CRL_LOCK_KEY)
    .catch((err) => console.error("[crls] refresh failed:", err instanceof Error ? err.message : err))
    .finally(() => {
      if (s.fetchingCrls === run) s.fetchingCrls = null;
    });
  s.fetchingCrls = run;
  return run;
}

/** Start (or restart) the timers; the first evaluation and retention run at once. Idempotent across hot reloads. */
export function startAlertScheduler(): void {
  stopAlertScheduler();
  const s = state();
  void runAlertCycle();
  void runRetention();
  void runCrlRefresh();
  const crls = setInterval(() => void runCrlRefresh(), CRL_TICK_MS);
  crls.unref();
  s.timers.push(crls);
  const hourly = setInterval(() => void runAlertCycle(), intervalMs());
  const retries = setInterval(() => void runDeliveryTick(), RETRY_TICK_MS);
  const retention = setInterval(() => void runRetention(), intervalMs("PORTCULLIS_RETENTION_INTERVAL_MS"));
  hourly.unref();
  retries.unref();
  retention.unref();
  s.timers.push(hourly, retries, retention);
}

export function stopAlertScheduler(): void {
  const s = state();
  for (const t of s.timers) clearInterval(t);
  s.timers = [];
}

/** Wait for the job in progress, if any (tests, shutdown). */
export async function alertSchedulerIdle(): Promise<void> {
  while (state().running) await state().running;
  while (state().pruning) await state().pruning;
  while (state().fetchingCrls) await state().fetchingCrls;
}
