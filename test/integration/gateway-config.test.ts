/** Config-change notifications: explicit notify (EventEmitter / NOTIFY) and the fingerprint poll fallback. */
import { afterAll, describe, expect, it } from "vitest";
import { configFingerprint, notifyConfigChanged, watchConfig } from "@/lib/domain/config-events";
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
});
