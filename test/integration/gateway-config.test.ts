/** Config-change notifications: explicit notify (EventEmitter / NOTIFY) and the fingerprint poll fallback. */
import { afterAll, describe, expect, it } from "vitest";
import { configFingerprint, notifyConfigChanged, watchConfig } from "@/lib/domain/core/config-events";
import { createPolicy } from "@/lib/domain/policies";
import { adminActor } from "../helpers/actors";
import { until } from "./gateway-fixtures";

let events = 0;
let unwatch: (() => Promise<void>) | null = null;

afterAll(async () => {
  await unwatch?.();
});

describe("config events", () => {
  it("delivers notifyConfigChanged() to watchers", async () => {
    unwatch = await watchConfig(() => events++);
    const before = events;
    await notifyConfigChanged();
    await until(async () => events > before, 3000, "the notification");
  });

  it("notices a change made without a notification within a second (fingerprint poll)", async () => {
    const fp = await configFingerprint();
    const before = events;
    const r = await createPolicy(adminActor, { name: "Poll me", decision: "allow", include: [{ everyone: {} }] });
    expect(r.ok).toBe(true);
    expect(await configFingerprint()).not.toBe(fp);
    const ms = await until(async () => events > before, 3000, "the poll");
    expect(ms).toBeLessThan(1500);
  });

  it.runIf(process.env.PORTCULLIS_TEST_ENGINE !== "postgres")("keeps answering after PGlite's prepared statements are dropped (the fingerprint is one)", async () => {
    const fp = await configFingerprint();
    const { getDbHandle } = await import("@/lib/db/client");
    await ((await getDbHandle()).raw as { query(q: string): Promise<unknown> }).query("deallocate all");
    expect(await configFingerprint()).toBe(fp);
    const r = await createPolicy(adminActor, { name: "After deallocate", decision: "allow", include: [{ everyone: {} }] });
    expect(r.ok).toBe(true);
    expect(await configFingerprint()).not.toBe(fp);
  });

  it.runIf(process.env.PORTCULLIS_TEST_ENGINE !== "postgres")("answers calls that find the statement missing at the same time (the watcher and the nginx export page)", async () => {
    const fp = await configFingerprint();
    const { getDbHandle } = await import("@/lib/db/client");
    await ((await getDbHandle()).raw as { query(q: string): Promise<unknown> }).query("deallocate all");
    expect(await Promise.all([configFingerprint(), configFingerprint(), configFingerprint()])).toEqual([fp, fp, fp]);
  });
});

describe.runIf(process.env.PORTCULLIS_TEST_ENGINE === "postgres")("config events on PostgreSQL: the LISTEN connection", () => {
  async function terminateOtherBackends(): Promise<number> {
    const pg = (await import("pg")).default;
    const c = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await c.connect();
    const r = await c.query(
      "select pg_terminate_backend(pid) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()",
    );
    await c.end();
    return r.rowCount ?? 0;
  }

  it("reconnects after the server drops it, and a connection it handed back is never released twice", async () => {
    const uncaught: Error[] = [];
    const onUncaught = (e: Error) => uncaught.push(e);
    process.on("uncaughtException", onUncaught);
    try {
      let seen = 0;
      const stop = await watchConfig(() => seen++);
      expect(await terminateOtherBackends()).toBeGreaterThan(0);
      // The watcher listens again on a fresh connection: a NOTIFY reaches it.
      await until(
        async () => {
          const before = seen;
          await notifyConfigChanged().catch(() => undefined);
          await new Promise((r) => setTimeout(r, 200));
          return seen > before;
        },
        10_000,
        "a notification after the reconnect",
      );
      await stop();
      await unwatch?.();
      unwatch = null;
      // Both watchers are stopped, their connections back in the pool; the server now drops those too.
      await terminateOtherBackends();
      await new Promise((r) => setTimeout(r, 500));
      expect(uncaught.map((e) => e.message)).toEqual([]);
    } finally {
      process.off("uncaughtException", onUncaught);
    }
  });
});
