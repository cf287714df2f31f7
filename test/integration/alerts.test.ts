import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { and, asc, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { alerts, auditEvents, mtlsCertificates } from "@/lib/db/schema";
import { activeAlerts, evaluateAlerts, listAlerts } from "@/lib/domain/alerts";
import { getNotificationSettings, processDueNotifications, saveNotificationSettings, sendTestNotification } from "@/lib/domain/alerts/notifications";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { runAlertCycle, alertSchedulerIdle } from "@/lib/server/scheduler";
import { adminActor, viewerActor } from "../helpers/actors";

const DAY = 86_400_000;
const MIN = 60_000;

/** A local webhook receiver: answers with the queued statuses, then 200; records every body. */
const received: { body: Record<string, unknown> }[] = [];
let statuses: number[] = [];
let hang = false;
const server = http.createServer((req, res) => {
  let data = "";
  req.on("data", (c) => (data += c));
  req.on("end", () => {
    received.push({ body: JSON.parse(data) });
    if (hang) return;
    const status = statuses.shift() ?? 200;
    res.writeHead(status, status === 302 ? { location: "http://127.0.0.1:9/elsewhere" } : {}).end("ok");
  });
});
let hookUrl = "";

beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/portcullis?key=s3cret`;
  expect((await saveNotificationSettings(adminActor, { webhookUrl: hookUrl })).ok).toBe(true);
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(async () => {
  received.length = 0;
  statuses = [];
  hang = false;
  const db = await getDb();
  await db.delete(mtlsCertificates);
  await db.delete(alerts);
});

async function addCert(name: string, expiresOn: Date, crl: unknown = null) {
  const db = await getDb();
  const [row] = await db
    .insert(mtlsCertificates)
    .values({ name, certificatePem: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n", fingerprint: "MD5 Fingerprint=AA", expiresOn, chain: [], crl })
    .returning();
  return row;
}

async function attempts(alertId: string) {
  const db = await getDb();
  const rows = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "notification.attempt"), eq(auditEvents.resourceId, alertId))).orderBy(asc(auditEvents.id));
  return rows.map((r) => ({ actor: r.actor, ...(r.after as { status: string; attempt: number; http_status: number | null }) }));
}

describe("alerts", () => {
  const now = new Date("2030-06-01T00:00:00Z");

  it("raises one alert per threshold, sends it once, and a second evaluation changes nothing", async () => {
    const cert = await addCert("ca-20-days", new Date(now.getTime() + 20 * DAY));
    await addCert("ca-long", new Date(now.getTime() + 200 * DAY));
    const first = await evaluateAlerts(now);
    expect(first.raised).toHaveLength(1);
    expect(await evaluateAlerts(now)).toEqual({ raised: [], resolved: [] });
    const [alert] = await listAlerts();
    expect(alert).toMatchObject({ kind: "cert_expiry_30", resourceId: cert.id, resourceName: "ca-20-days", attempts: 0, notifiedAt: null });

    expect(await processDueNotifications(now)).toEqual({ attempted: 1, delivered: 1, failed: 0 });
    expect(await processDueNotifications(new Date(now.getTime() + 5 * MIN))).toEqual({ attempted: 0, delivered: 0, failed: 0 });
    await evaluateAlerts(now);
    await processDueNotifications(now);
    expect(received).toHaveLength(1);
    const body = received[0].body;
    expect(body).toMatchObject({
      event: "certificate.expiring",
      alert: { id: alert.id, kind: "cert_expiry_30" },
      certificate: { id: cert.id, name: "ca-20-days", expires_on: cert.expiresOn.toISOString(), days_left: 20 },
    });
    expect((body.portcullis as { account_id: string }).account_id).toMatch(/^[0-9a-f]{32}$/);
    expect(JSON.stringify(body)).not.toContain("BEGIN CERTIFICATE");
    expect(await attempts(alert.id)).toEqual([expect.objectContaining({ actor: "system", status: "delivered", attempt: 1, http_status: 200 })]);
    expect((await listAlerts())[0].notifiedAt).not.toBeNull();

    // Crossing 14 days raises (and sends) the next threshold once; the 30-day alert is superseded.
    const later = new Date(now.getTime() + 7 * DAY);
    const second = await evaluateAlerts(later);
    expect(second.raised).toHaveLength(1);
    expect(second.resolved).toEqual([alert.id]);
    await processDueNotifications(later);
    await evaluateAlerts(later);
    await processDueNotifications(later);
    expect(received.map((r) => (r.body.alert as { kind: string }).kind)).toEqual(["cert_expiry_30", "cert_expiry_14"]);
    expect((received[1].body.certificate as { days_left: number }).days_left).toBe(13);

    // Expired: one more, marked as such.
    const expired = new Date(now.getTime() + 21 * DAY);
    await evaluateAlerts(expired);
    await processDueNotifications(expired);
    expect(received[2].body).toMatchObject({ event: "certificate.expired", alert: { kind: "cert_expired" } });
    expect((await listAlerts({ includeResolved: true })).map((a) => a.kind).sort()).toEqual(["cert_expired", "cert_expiry_14", "cert_expiry_30"]);
    expect((await listAlerts()).map((a) => a.kind)).toEqual(["cert_expired"]);
  });

  it("retries with exponential backoff on failure, auditing every attempt", async () => {
    await addCert("ca-flaky", new Date(now.getTime() + 10 * DAY));
    statuses = [500, 503];
    const [id] = (await evaluateAlerts(now)).raised;
    expect(await processDueNotifications(now)).toMatchObject({ failed: 1 });
    let [row] = await listAlerts();
    expect(row).toMatchObject({ attempts: 1, lastError: "HTTP 500 Internal Server Error", nextAttemptAt: new Date(now.getTime() + MIN).toISOString() });
    expect(await processDueNotifications(new Date(now.getTime() + 30_000))).toMatchObject({ attempted: 0 });
    await processDueNotifications(new Date(now.getTime() + MIN));
    [row] = await listAlerts();
    expect(row).toMatchObject({ attempts: 2, nextAttemptAt: new Date(now.getTime() + 3 * MIN).toISOString() });
    expect(await processDueNotifications(new Date(now.getTime() + 2 * MIN))).toMatchObject({ attempted: 0 });
    expect(await processDueNotifications(new Date(now.getTime() + 3 * MIN))).toMatchObject({ delivered: 1 });
    [row] = await listAlerts();
    expect(row).toMatchObject({ attempts: 3, lastError: null, nextAttemptAt: null });
    expect(row.notifiedAt).not.toBeNull();
    expect(received).toHaveLength(3);
    expect((await attempts(id)).map((a) => [a.attempt, a.status, a.http_status])).toEqual([
      [1, "failed", 500],
      [2, "failed", 503],
      [3, "delivered", 200],
    ]);
  });

  it("gives up after 8 attempts; does not follow redirects; times out a silent receiver", async () => {
    await addCert("ca-down", new Date(now.getTime() + 10 * DAY));
    statuses = Array(10).fill(302);
    const [id] = (await evaluateAlerts(now)).raised;
    let t = now.getTime();
    for (let i = 0; i < 12; i++) {
      await processDueNotifications(new Date(t));
      t += 61 * MIN;
    }
    expect(received).toHaveLength(8);
    const log = await attempts(id);
    expect(log.map((a) => a.status)).toEqual([...Array(7).fill("failed"), "gave_up"]);
    const [row] = await listAlerts();
    expect(row).toMatchObject({ attempts: 8, nextAttemptAt: null, lastError: "HTTP 302: redirects are not followed" });

    await addCert("ca-silent", new Date(now.getTime() + 12 * DAY));
    await evaluateAlerts(now);
    hang = true;
    expect(await processDueNotifications(now, { timeoutMs: 300 })).toMatchObject({ failed: 1 });
    expect((await listAlerts()).find((a) => a.resourceName === "ca-silent")?.lastError).toBe("No response within 300 ms");
  });

  it("raises a stale-CRL alert, resolves it when the CRL is refreshed or the certificate deleted", async () => {
    const cert = await addCert("ca-crl", new Date(now.getTime() + 400 * DAY), { nextUpdate: new Date(now.getTime() - DAY).toISOString() });
    const raised = await evaluateAlerts(now);
    expect(raised.raised).toHaveLength(1);
    expect((await activeAlerts(now)).map((a) => a.kind)).toEqual(["crl_stale"]);
    const [stale] = await listAlerts();
    expect(stale).toMatchObject({ kind: "crl_stale", resourceId: cert.id });
    await processDueNotifications(now);
    expect(received[0].body.event).toBe("certificate.crl_stale");

    const db = await getDb();
    await db.update(mtlsCertificates).set({ crl: { nextUpdate: new Date(now.getTime() + 7 * DAY).toISOString() } }).where(eq(mtlsCertificates.id, cert.id));
    expect((await evaluateAlerts(now)).resolved).toEqual([stale.id]);
    expect(await listAlerts()).toEqual([]);

    // Stale again later: the same row re-opens as a new occurrence and is notified again.
    const later = new Date(now.getTime() + 8 * DAY);
    expect((await evaluateAlerts(later)).raised).toEqual([stale.id]);
    await processDueNotifications(later);
    expect(received).toHaveLength(2);

    await db.delete(mtlsCertificates).where(eq(mtlsCertificates.id, cert.id));
    expect((await evaluateAlerts(later)).resolved).toEqual([stale.id]);
  });

  it("stops retrying when the certificate is deleted", async () => {
    const cert = await addCert("ca-gone", new Date(now.getTime() + 5 * DAY));
    statuses = [500];
    await evaluateAlerts(now);
    await processDueNotifications(now);
    const db = await getDb();
    await db.delete(mtlsCertificates).where(eq(mtlsCertificates.id, cert.id));
    await evaluateAlerts(now);
    expect(await processDueNotifications(new Date(now.getTime() + 10 * MIN))).toMatchObject({ attempted: 0 });
    const [row] = await listAlerts({ includeResolved: true });
    expect(row).toMatchObject({ resourceName: null, nextAttemptAt: null });
    expect(row.resolvedAt).not.toBeNull();
  });

  it("the scheduler's overlapping runs send each alert once", async () => {
    await addCert("ca-sched", new Date(Date.now() + 3 * DAY));
    await Promise.all([runAlertCycle(), runAlertCycle(), runAlertCycle()]);
    await alertSchedulerIdle();
    expect(received).toHaveLength(1);
    expect((received[0].body.alert as { kind: string }).kind).toBe("cert_expiry_14");
  });

  it("concurrent deliveries (two instances) claim each alert once", async () => {
    await addCert("ca-race", new Date(now.getTime() + 9 * DAY));
    await Promise.all([evaluateAlerts(now), evaluateAlerts(now)]);
    const runs = await Promise.all([processDueNotifications(now), processDueNotifications(now), processDueNotifications(now)]);
    expect(runs.reduce((n, r) => n + r.attempted, 0)).toBe(1);
    expect(received).toHaveLength(1);
  });

  it.runIf(process.env.PORTCULLIS_TEST_ENGINE === "postgres")("skips the run while another instance holds the advisory lock", async () => {
    await addCert("ca-locked", new Date(Date.now() + 3 * DAY));
    const pg = (await import("pg")).default;
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query("select pg_advisory_lock(727272)");
      await runAlertCycle();
      expect(await listAlerts()).toEqual([]);
      await other.query("select pg_advisory_unlock(727272)");
      await runAlertCycle();
      expect(received).toHaveLength(1);
    } finally {
      await other.end();
    }
  });
});

describe("notification settings", () => {
  it("validates the webhook URL with specific messages and allows turning it off", async () => {
    // Each refusal is asserted whole: a save that was accepted instead fails here rather than skipping the check.
    const refusedWith = async (webhookUrl: string, message: string | RegExp) =>
      expect(await saveNotificationSettings(adminActor, { webhookUrl })).toMatchObject({
        ok: false,
        error: { fieldErrors: { webhookUrl: [typeof message === "string" ? message : expect.stringMatching(message)] } },
      });
    await refusedWith("ftp://hooks.example.com/x", "Webhook URL must start with http:// or https:// (not ftp://)");
    await refusedWith("not a url", /^Enter a full URL starting with http:\/\/ or https:\/\//);
    await refusedWith("https://user:pw@hooks.example.com/", "Webhook URL must not contain a user name or password");
    expect(await saveNotificationSettings(viewerActor, { webhookUrl: "" })).toMatchObject({ ok: false, error: { message: READ_ONLY_MESSAGE } });
    expect(await getNotificationSettings()).toEqual({ webhookUrl: hookUrl });

    expect((await saveNotificationSettings(adminActor, { webhookUrl: "  " })).ok).toBe(true);
    expect(await getNotificationSettings()).toEqual({ webhookUrl: null });
    await addCert("ca-off", new Date(now().getTime() + 5 * DAY));
    await evaluateAlerts();
    expect(await processDueNotifications()).toMatchObject({ attempted: 0 });
    expect((await saveNotificationSettings(adminActor, { webhookUrl: hookUrl })).ok).toBe(true);
    expect(await processDueNotifications()).toMatchObject({ delivered: 1 });

    const db = await getDb();
    const [event] = await db.select().from(auditEvents).where(eq(auditEvents.action, "settings.notifications.update"));
    expect(JSON.stringify(event)).not.toContain("s3cret");
  });

  it("sends a test notification at once and audits it", async () => {
    const sent = await sendTestNotification(adminActor, { webhookUrl: hookUrl });
    expect(sent).toMatchObject({ ok: true, value: { ok: true, status: 200 } });
    expect(received.at(-1)?.body.event).toBe("test");
    statuses = [500];
    expect(await sendTestNotification(adminActor, { webhookUrl: hookUrl })).toMatchObject({ value: { ok: false, status: 500 } });
    const refused = await sendTestNotification(adminActor, { webhookUrl: "http://127.0.0.1:9/" });
    expect(refused).toMatchObject({ ok: true, value: { ok: false, error: "Connection refused by 127.0.0.1:9" } });
    expect((await sendTestNotification(viewerActor, { webhookUrl: hookUrl })).ok).toBe(false);
    const db = await getDb();
    const rows = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "notification.attempt"), eq(auditEvents.resourceId, "test"))).orderBy(asc(auditEvents.id));
    expect(rows.map((r) => (r.after as { status: string }).status)).toEqual(["delivered", "failed", "failed"]);
  });
});

const now = () => new Date();
