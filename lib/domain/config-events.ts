/**
 * Configuration-change notifications for the enforcement gateway (and any other cache of the config).
 *
 * - `notifyConfigChanged(tx?)`: domain modules may call it after a mutation. With PGlite it emits on an
 *   in-process EventEmitter; with PostgreSQL it sends `NOTIFY portcullis_config` (inside `tx` when given, so the
 *   notification is delivered only when the transaction commits) and every instance's listener picks it up.
 * - `watchConfig(listener)`: subscribe. Besides the notifications, a watcher polls a cheap fingerprint of the
 *   configuration tables every 500 ms, so changes made by code that does not notify are seen within a second.
 */
import { EventEmitter } from "node:events";
import { sql } from "drizzle-orm";
import { getDbHandle, type DbOrTx } from "../db/client";

export const CONFIG_CHANNEL = "portcullis_config";
export const CONFIG_POLL_MS = 500;

interface ConfigGlobal {
  __portcullisConfigEvents?: EventEmitter;
  __portcullisConfigWatcher?: Watcher;
}
const g = globalThis as ConfigGlobal;

function emitter(): EventEmitter {
  if (!g.__portcullisConfigEvents) {
    g.__portcullisConfigEvents = new EventEmitter();
    g.__portcullisConfigEvents.setMaxListeners(0);
  }
  return g.__portcullisConfigEvents;
}

/** Tell every gateway (this process and, with PostgreSQL, every other instance) that the config changed. */
export async function notifyConfigChanged(tx?: DbOrTx): Promise<void> {
  const handle = await getDbHandle();
  if (handle.engine === "postgres") {
    await (tx ?? handle.db).execute(sql`select pg_notify(${CONFIG_CHANNEL}, '')`);
    return;
  }
  // PGlite is single-process: an in-process event is enough (after the caller's transaction has run).
  queueMicrotask(() => emitter().emit("change"));
}

/**
 * A fingerprint of everything the gateway and the nginx export read: row counts, version sums and the latest
 * update of each configuration table, plus digests of the two link tables (which have no timestamps).
 */
const FINGERPRINT = sql`select concat_ws('|',
  (select count(*)::text || ':' || coalesce(sum(version), 0)::text || ':' || coalesce(max(updated_at)::text, '') from mtls_certificates),
  (select count(*)::text || ':' || coalesce(md5(string_agg(certificate_id::text || '/' || hostname, ',' order by certificate_id, hostname)), '') from certificate_hostnames),
  (select count(*)::text || ':' || coalesce(max(updated_at)::text, '') from hostname_settings),
  (select count(*)::text || ':' || coalesce(sum(version), 0)::text || ':' || coalesce(max(updated_at)::text, '') from policies),
  (select count(*)::text || ':' || coalesce(sum(version), 0)::text || ':' || coalesce(max(updated_at)::text, '') from applications),
  (select count(*)::text || ':' || coalesce(md5(string_agg(application_id::text || '/' || policy_id::text || '/' || precedence::text, ',' order by application_id, policy_id)), '') from application_policies)
) as fp`;

export async function configFingerprint(): Promise<string> {
  const { db } = await getDbHandle();
  const res = (await db.execute(FINGERPRINT)) as unknown as { rows: { fp: string }[] };
  return String(res.rows[0]?.fp ?? "");
}

type Listener = () => void;

interface Watcher {
  listeners: Set<Listener>;
  stop(): Promise<void>;
}

async function startWatcher(): Promise<Watcher> {
  const listeners = new Set<Listener>();
  const fire = () => {
    for (const l of listeners) {
      try {
        l();
      } catch (e) {
        console.error("[config] listener failed:", (e as Error).message);
      }
    }
  };
  const ev = emitter();
  ev.on("change", fire);

  let last = await configFingerprint().catch(() => "");
  let stopped = false;
  let polling = false;
  const timer = setInterval(() => {
    if (polling || stopped) return;
    polling = true;
    configFingerprint()
      .then((fp) => {
        if (fp !== last) {
          last = fp;
          fire();
        }
      })
      .catch(() => undefined)
      .finally(() => {
        polling = false;
      });
  }, CONFIG_POLL_MS);
  timer.unref();

  // PostgreSQL: a dedicated connection LISTENs; reconnects when it drops.
  const handle = await getDbHandle();
  let pgClient: { release(err?: boolean): void; query(q: string): Promise<unknown>; on(e: string, f: (...a: unknown[]) => void): void } | null = null;
  const listen = async () => {
    if (stopped || handle.engine !== "postgres") return;
    try {
      const pool = handle.raw as { connect(): Promise<NonNullable<typeof pgClient>> };
      const client = await pool.connect();
      pgClient = client;
      client.on("notification", (msg: unknown) => {
        if ((msg as { channel?: string }).channel === CONFIG_CHANNEL) fire();
      });
      client.on("error", () => {
        if (pgClient === client) pgClient = null;
        client.release(true);
        if (!stopped) setTimeout(listen, 1000).unref();
      });
      await client.query(`listen ${CONFIG_CHANNEL}`);
    } catch {
      if (!stopped) setTimeout(listen, 1000).unref();
    }
  };
  await listen();

  return {
    listeners,
    async stop() {
      stopped = true;
      clearInterval(timer);
      ev.off("change", fire);
      const c = pgClient;
      pgClient = null;
      if (c) {
        await c.query(`unlisten ${CONFIG_CHANNEL}`).catch(() => undefined);
        c.release();
      }
    },
  };
}

let starting: Promise<Watcher> | null = null;

/** Subscribe to configuration changes; returns the unsubscribe function. */
export async function watchConfig(listener: Listener): Promise<() => Promise<void>> {
  if (!g.__portcullisConfigWatcher) {
    starting ??= startWatcher().finally(() => {
      starting = null;
    });
    g.__portcullisConfigWatcher = await starting;
  }
  const w = g.__portcullisConfigWatcher;
  w.listeners.add(listener);
  return async () => {
    w.listeners.delete(listener);
    if (w.listeners.size === 0 && g.__portcullisConfigWatcher === w) {
      g.__portcullisConfigWatcher = undefined;
      await w.stop();
    }
  };
}
