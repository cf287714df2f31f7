/**
 * Service tokens in lib/domain: validation with per-field messages, roles, the secret shown once and stored only as
 * its SHA-256 (never in the audit log), refresh, rotate with and without a grace period, update, delete, the
 * 50-token limit, and expiry alerts like certificates'.
 */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { alerts, auditEvents, serviceTokens } from "@/lib/db/schema";
import { activeAlerts, evaluateAlerts, listAlerts } from "@/lib/domain/alerts";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import {
  MAX_SERVICE_TOKENS,
  createServiceToken,
  deleteServiceToken,
  getServiceToken,
  hashClientSecret,
  listServiceTokens,
  refreshServiceToken,
  rotateServiceToken,
  serviceTokenState,
  serviceTokensForGateway,
  updateServiceToken,
} from "@/lib/domain/service-tokens";
import { adminActor, readTokenActor, viewerActor } from "../helpers/actors";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function create(name: string, duration?: string) {
  const r = await createServiceToken(adminActor, { name, ...(duration ? { duration } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

async function row(id: string) {
  const db = await getDb();
  const [r] = await db.select().from(serviceTokens).where(eq(serviceTokens.id, id));
  return r;
}

describe("service tokens: create", () => {
  it("returns a Client ID like Cloudflare's and a 64-hex secret once; stores only the secret's SHA-256; expires in a year by default", async () => {
    const before = Date.now();
    const t = await create("CI deploys");
    expect(t.client_id).toMatch(/^[0-9a-f]{32}\.access$/);
    expect(t.client_secret).toMatch(/^[0-9a-f]{64}$/);
    expect(t).toMatchObject({ name: "CI deploys", duration: "8760h", enabled: true, client_secret_version: 1, previous_client_secret_expires_at: null });
    const expires = Date.parse(t.expires_at!);
    expect(expires - before).toBeGreaterThanOrEqual(8760 * HOUR - 1000);
    expect(expires - Date.now()).toBeLessThanOrEqual(8760 * HOUR);
    const stored = await row(t.id);
    expect(stored.secretHash).toBe(hashClientSecret(t.client_secret));
    expect(JSON.stringify(stored)).not.toContain(t.client_secret);
    expect(await getServiceToken(t.id)).not.toHaveProperty("client_secret");
  });

  it("never writes the secret or its hash to the audit log", async () => {
    const t = await create("audited");
    const db = await getDb();
    const events = await db.select().from(auditEvents).where(eq(auditEvents.resourceId, t.id));
    expect(events.map((e) => e.action)).toEqual(["service_token.create"]);
    const text = JSON.stringify(events);
    expect(text).not.toContain(t.client_secret);
    expect(text).not.toContain(hashClientSecret(t.client_secret));
    expect(events[0].after).toMatchObject({ name: "audited", client_id: t.client_id, duration: "8760h" });
  });

  it.each([
    ["2 years", "17520h", 17520 * HOUR],
    ["non-expiring", "forever", null],
    ["a canonicalised Go duration", "90m", 90 * 60_000],
  ])("accepts %s", async (_label, duration, ms) => {
    const t = await create(`d-${duration}`, duration);
    expect(t.duration).toBe(duration === "90m" ? "1h30m" : duration);
    if (ms === null) expect(t.expires_at).toBeNull();
    else expect(Math.abs(Date.parse(t.expires_at!) - Date.now() - ms)).toBeLessThan(5000);
  });

  it.each([
    [{}, "name", /Service token name is required/],
    [{ name: "   " }, "name", /Service token name is required/],
    [{ name: "x".repeat(351) }, "name", /at most 350/],
    [{ name: "ok", duration: "1 year" }, "duration", /not a valid duration/],
    [{ name: "ok", duration: "-5h" }, "duration", /longer than zero/],
    [{ name: "ok", duration: 8760 }, "duration", /must be a string/],
    [{ name: "ok", enabled: "yes" }, "enabled", /true or false/],
  ])("refuses %j with a message on %s", async (input, field, message) => {
    const r = await createServiceToken(adminActor, input);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.kind).toBe("validation");
    expect(r.error.fieldErrors?.[field]?.[0]).toMatch(message);
  });

  it("refuses viewers and read-only tokens", async () => {
    for (const actor of [viewerActor, readTokenActor]) {
      const r = await createServiceToken(actor, { name: "nope" });
      expect(r).toMatchObject({ ok: false, error: { kind: "forbidden", message: READ_ONLY_MESSAGE } });
    }
    const t = await create("for roles");
    for (const r of [await refreshServiceToken(viewerActor, t.id), await rotateServiceToken(viewerActor, t.id), await deleteServiceToken(viewerActor, t.id), await updateServiceToken(viewerActor, t.id, { name: "x" })]) {
      expect(r).toMatchObject({ ok: false, error: { kind: "forbidden" } });
    }
  });
});

describe("service tokens: refresh, rotate, update, delete", () => {
  it("refresh makes the token valid for its duration again, from now", async () => {
    const t = await create("refresh me", "2h");
    const db = await getDb();
    await db.update(serviceTokens).set({ expiresAt: new Date(Date.now() - HOUR) }).where(eq(serviceTokens.id, t.id));
    const r = await refreshServiceToken(adminActor, t.id);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Math.abs(Date.parse(r.value.expires_at!) - Date.now() - 2 * HOUR)).toBeLessThan(5000);
    expect((await serviceTokenState(t.id))?.expiresAt).toBe(Date.parse(r.value.expires_at!));
  });

  it("rotate without a grace period replaces the secret at once", async () => {
    const t = await create("rotate now");
    const r = await rotateServiceToken(adminActor, t.id, {});
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.client_secret).not.toBe(t.client_secret);
    expect(r.value).toMatchObject({ client_id: t.client_id, client_secret_version: 2, previous_client_secret_expires_at: null });
    const stored = await row(t.id);
    expect(stored.secretHash).toBe(hashClientSecret(r.value.client_secret));
    expect(stored.previousSecretHash).toBeNull();
  });

  it("rotate with a grace period keeps the previous secret until then; it can be ended early, and at most 30 days", async () => {
    const t = await create("rotate later");
    const r = await rotateServiceToken(adminActor, t.id, { grace_hours: 24 });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Math.abs(Date.parse(r.value.previous_client_secret_expires_at!) - Date.now() - DAY)).toBeLessThan(5000);
    const [gw] = (await serviceTokensForGateway()).filter((x) => x.id === t.id);
    expect(gw.previousSecretHash).toBe(hashClientSecret(t.client_secret));
    expect(gw.secretHash).toBe(hashClientSecret(r.value.client_secret));

    const api = await rotateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: new Date(Date.now() + 2 * HOUR).toISOString() });
    expect(api.ok && api.value.client_secret_version).toBe(3);
    const tooLong = await rotateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: new Date(Date.now() + 31 * DAY).toISOString() });
    expect(tooLong).toMatchObject({ ok: false, error: { kind: "validation", fieldErrors: { previous_client_secret_expires_at: [expect.stringMatching(/at most 30 days/)] } } });

    const ended = await updateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: new Date(Date.now() - 1000).toISOString() });
    expect(ended.ok && ended.value.previous_client_secret_expires_at).toBeNull();
    expect((await row(t.id)).previousSecretHash).toBeNull();
  });

  it("update renames, disables, renews by a new duration; client_secret_version is changed only by rotate", async () => {
    const t = await create("update me");
    const r = await updateServiceToken(adminActor, t.id, { name: "renamed", enabled: false, duration: "17520h" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ name: "renamed", enabled: false, duration: "17520h" });
    expect(Math.abs(Date.parse(r.value.expires_at!) - Date.now() - 17520 * HOUR)).toBeLessThan(5000);
    const v = await updateServiceToken(adminActor, t.id, { client_secret_version: 7 });
    expect(v).toMatchObject({ ok: false, error: { kind: "validation", fieldErrors: { client_secret_version: [expect.stringMatching(/rotate/)] } } });
    const noPrev = await updateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: new Date().toISOString() });
    expect(noPrev).toMatchObject({ ok: false, error: { kind: "validation" } });
  });

  it("delete removes it; unknown ids are not found", async () => {
    const t = await create("delete me");
    const d = await deleteServiceToken(adminActor, t.id);
    expect(d.ok && d.value.id).toBe(t.id);
    expect(await getServiceToken(t.id)).toBeNull();
    for (const r of [await deleteServiceToken(adminActor, t.id), await refreshServiceToken(adminActor, "not-a-uuid"), await rotateServiceToken(adminActor, t.id)]) {
      expect(r).toMatchObject({ ok: false, error: { kind: "not_found" } });
    }
  });

  it("lists by name (exact) and search (name or Client ID), paged", async () => {
    const a = await create("search-alpha");
    await create("search-beta");
    expect((await listServiceTokens({ name: "search-alpha" })).items.map((t) => t.id)).toEqual([a.id]);
    expect((await listServiceTokens({ search: "SEARCH-" })).total).toBe(2);
    expect((await listServiceTokens({ search: a.client_id.slice(0, 12) })).items.map((t) => t.id)).toEqual([a.id]);
    const page = await listServiceTokens({ search: "search-", page: 2, perPage: 1 });
    expect(page.items.map((t) => t.name)).toEqual(["search-beta"]);
  });

  it("the tester finds a token by id or Client ID", async () => {
    const t = await create("for the tester");
    expect((await serviceTokenState(t.id))?.clientId).toBe(t.client_id);
    expect((await serviceTokenState(t.client_id.toUpperCase()))?.id).toBe(t.id);
    expect(await serviceTokenState("nope")).toBeNull();
  });
});

describe("service tokens: alerts and the limit", () => {
  it("raises expiry alerts like certificates' (within 30 / 14 days, expired) and resolves them on refresh", async () => {
    const soon = await create("expiring soon", "240h");
    const gone = await create("already expired", "1h");
    const db = await getDb();
    await db.update(serviceTokens).set({ expiresAt: new Date(Date.now() - HOUR) }).where(eq(serviceTokens.id, gone.id));
    const conditions = await activeAlerts();
    expect(conditions.filter((c) => c.resourceType === "service_token").map((c) => [c.resourceId, c.kind])).toEqual(
      expect.arrayContaining([
        [soon.id, "service_token_expiry_14"],
        [gone.id, "service_token_expired"],
      ]),
    );
    const run = await evaluateAlerts();
    expect(run.raised.length).toBeGreaterThanOrEqual(2);
    const listed = await listAlerts();
    expect(listed.find((a) => a.resourceId === gone.id)).toMatchObject({ kind: "service_token_expired", resourceName: "already expired", kindLabel: "Service token expired" });
    expect(listed.find((a) => a.resourceId === soon.id)?.message).toMatch(/^Service token "expiring soon" expires within 14 days/);

    expect((await refreshServiceToken(adminActor, gone.id)).ok).toBe(true);
    await evaluateAlerts();
    // Refreshed for its one-hour duration: no longer expired, but expiring within 14 days.
    const rows = await db.select().from(alerts).where(eq(alerts.resourceId, gone.id));
    expect(rows.find((a) => a.kind === "service_token_expired")?.resolvedAt).not.toBeNull();
    expect(rows.find((a) => a.kind === "service_token_expiry_14")?.resolvedAt).toBeNull();
  });

  it(`refuses more than ${MAX_SERVICE_TOKENS} tokens`, async () => {
    const { total } = await listServiceTokens();
    for (let i = total; i < MAX_SERVICE_TOKENS; i++) await create(`fill ${i}`);
    const r = await createServiceToken(adminActor, { name: "one too many" });
    expect(r).toMatchObject({ ok: false, error: { kind: "limit" } });
  });
});
