import { and, asc, eq, isNull, lt, lte } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { alerts, mtlsCertificates, serviceTokens } from "../../db/schema";
import { getSetting, setSetting } from "../../db/settings";
import { writeAudit } from "../audit/record";
import { postWebhook, WEBHOOK_TIMEOUT_MS, type WebhookResult } from "../../server/webhook";
import { canWrite, SYSTEM_ACTOR, type Actor } from "../core/actor";
import { ALERT_KIND_LABELS, daysLeft, type AlertKind } from ".";
import { mutate } from "../core/mutate";
import { fail, ok, READ_ONLY_MESSAGE, zodFieldErrors, type Result } from "../core/result";

export const NOTIFICATIONS_KEY = "notifications";
export const MAX_ATTEMPTS = 8;
const FIRST_RETRY_MS = 60_000;
const MAX_RETRY_MS = 3_600_000;
/** A claimed delivery is invisible to other runs for this long (longer than the request timeout). */
const CLAIM_MS = 120_000;

export interface NotificationSettings {
  webhookUrl: string | null;
}

export const webhookUrlSchema = z
  .string({ error: "Enter a webhook URL, or leave it empty to turn notifications off" })
  .trim()
  .max(2048, "Webhook URL must be at most 2048 characters")
  .superRefine((value, ctx) => {
    if (value === "") return;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      ctx.addIssue({ code: "custom", message: "Enter a full URL starting with http:// or https://, such as https://hooks.example.com/portcullis" });
      return;
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      ctx.addIssue({ code: "custom", message: `Webhook URL must start with http:// or https:// (not ${url.protocol}//)` });
    } else if (url.username || url.password) {
      ctx.addIssue({ code: "custom", message: "Webhook URL must not contain a user name or password" });
    }
  });

export const notificationSettingsSchema = z.object({ webhookUrl: webhookUrlSchema });

/** What the audit log and viewers see of a webhook URL: its origin only (paths often carry secrets). */
export function describeWebhook(url: string | null): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    return u.pathname !== "/" || u.search ? `${u.origin}/…` : u.origin;
  } catch {
    return null;
  }
}

export async function getNotificationSettings(): Promise<NotificationSettings> {
  const stored = await getSetting<Partial<NotificationSettings>>(await getDb(), NOTIFICATIONS_KEY);
  return { webhookUrl: typeof stored?.webhookUrl === "string" && stored.webhookUrl ? stored.webhookUrl : null };
}

export async function saveNotificationSettings(actor: Actor, input: unknown): Promise<Result<NotificationSettings>> {
  const parsed = notificationSettingsSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  const next: NotificationSettings = { webhookUrl: parsed.data.webhookUrl || null };
  return mutate(actor, async (tx, audit) => {
    const before = await getSetting<Partial<NotificationSettings>>(tx, NOTIFICATIONS_KEY);
    await setSetting(tx, NOTIFICATIONS_KEY, next);
    await audit({
      action: "settings.notifications.update",
      resourceType: "settings",
      resourceId: NOTIFICATIONS_KEY,
      before: { webhook: describeWebhook(before?.webhookUrl ?? null) },
      after: { webhook: describeWebhook(next.webhookUrl) },
    });
    return ok(next);
  });
}

/** Exponential backoff after the n-th failed attempt: 1 min, 2, 4, 8, … capped at one hour. */
export function retryDelayMs(failedAttempts: number): number {
  return Math.min(FIRST_RETRY_MS * 2 ** Math.max(0, failedAttempts - 1), MAX_RETRY_MS);
}

const EVENTS: Record<AlertKind, string> = {
  cert_expiry_30: "certificate.expiring",
  cert_expiry_14: "certificate.expiring",
  cert_expired: "certificate.expired",
  crl_stale: "certificate.crl_stale",
  crl_fetch_failed: "certificate.crl_fetch_failed",
  service_token_expiry_30: "service_token.expiring",
  service_token_expiry_14: "service_token.expiring",
  service_token_expired: "service_token.expired",
  client_certificate_expiry_30: "client_certificate.expiring",
  client_certificate_expiry_14: "client_certificate.expiring",
};

async function instanceInfo() {
  const accountId = (await getSetting<string>(await getDb(), "account_id")) ?? null;
  const url = process.env.PORTCULLIS_URL || process.env.NEXTAUTH_URL || null;
  return { account_id: accountId, url };
}

export interface TestNotificationResult extends WebhookResult {
  webhookUrl: string;
}

/** Send a test notification to `input.webhookUrl` at once (not saved); the attempt is audited. */
export async function sendTestNotification(actor: Actor, input: unknown): Promise<Result<TestNotificationResult>> {
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const parsed = notificationSettingsSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  const url = parsed.data.webhookUrl;
  if (!url) return fail("validation", "Enter a webhook URL to send a test notification to", { webhookUrl: ["Enter a webhook URL to send a test notification to"] });
  const portcullis = await instanceInfo();
  const body = {
    event: "test",
    message: "This is a test notification from Portcullis. Certificate expiry alerts will be delivered like this.",
    sent_at: new Date().toISOString(),
    alert: null,
    certificate: null,
    portcullis,
  };
  const result = await postWebhook(url, body);
  await writeAudit(await getDb(), actor, {
    action: "notification.attempt",
    resourceType: "notification",
    resourceId: "test",
    after: { event: "test", status: result.ok ? "delivered" : "failed", http_status: result.status ?? null, error: result.error ?? null, webhook: describeWebhook(url) },
  });
  return ok({ ...result, webhookUrl: url });
}

export interface DeliveryRun {
  attempted: number;
  delivered: number;
  failed: number;
}

/**
 * Deliver every alert whose next attempt is due. Each alert is claimed with a conditional update first,
 * so two runs (or two instances) never send the same attempt twice. Every attempt is audited.
 */
export async function processDueNotifications(now: Date = new Date(), opts: { timeoutMs?: number } = {}): Promise<DeliveryRun> {
  const run: DeliveryRun = { attempted: 0, delivered: 0, failed: 0 };
  const { webhookUrl } = await getNotificationSettings();
  if (!webhookUrl) return run;
  const db = await getDb();
  const due = await db
    .select()
    .from(alerts)
    .where(and(isNull(alerts.notifiedAt), isNull(alerts.resolvedAt), lte(alerts.nextAttemptAt, now), lt(alerts.attempts, MAX_ATTEMPTS)))
    .orderBy(asc(alerts.createdAt))
    .limit(50);
  const portcullis = due.length ? await instanceInfo() : null;
  for (const row of due) {
    const [claimed] = await db
      .update(alerts)
      .set({ nextAttemptAt: new Date(now.getTime() + CLAIM_MS) })
      .where(and(eq(alerts.id, row.id), eq(alerts.nextAttemptAt, row.nextAttemptAt!), isNull(alerts.notifiedAt), isNull(alerts.resolvedAt)))
      .returning({ id: alerts.id });
    if (!claimed) continue;
    const isToken = row.resourceType === "service_token";
    const [cert] = isToken
      ? []
      : await db
          .select({ id: mtlsCertificates.id, name: mtlsCertificates.name, expiresOn: mtlsCertificates.expiresOn })
          .from(mtlsCertificates)
          .where(eq(mtlsCertificates.id, row.resourceId));
    const [token] = isToken
      ? await db.select({ id: serviceTokens.id, name: serviceTokens.name, clientId: serviceTokens.clientId, expiresAt: serviceTokens.expiresAt }).from(serviceTokens).where(eq(serviceTokens.id, row.resourceId))
      : [];
    const attempt = row.attempts + 1;
    const kind = row.kind as AlertKind;
    const body = {
      event: EVENTS[kind] ?? row.kind,
      alert: { id: row.id, kind: row.kind, title: ALERT_KIND_LABELS[kind] ?? row.kind, message: row.message, created_at: row.createdAt.toISOString(), attempt },
      certificate: cert ? { id: cert.id, name: cert.name, expires_on: cert.expiresOn.toISOString(), days_left: daysLeft(cert.expiresOn, now) } : null,
      ...(isToken
        ? { service_token: token ? { id: token.id, name: token.name, client_id: token.clientId, expires_at: token.expiresAt?.toISOString() ?? null, days_left: token.expiresAt ? daysLeft(token.expiresAt, now) : null } : null }
        : {}),
      portcullis,
    };
    const result = await postWebhook(webhookUrl, body, { timeoutMs: opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS });
    const nextAttemptAt = result.ok || attempt >= MAX_ATTEMPTS ? null : new Date(now.getTime() + retryDelayMs(attempt));
    run.attempted++;
    if (result.ok) run.delivered++;
    else run.failed++;
    await db.transaction(async (tx) => {
      await tx
        .update(alerts)
        .set({ attempts: attempt, notifiedAt: result.ok ? new Date() : null, lastError: result.ok ? null : (result.error ?? "Delivery failed"), nextAttemptAt })
        .where(eq(alerts.id, row.id));
      await writeAudit(tx, SYSTEM_ACTOR, {
        action: "notification.attempt",
        resourceType: "alert",
        resourceId: row.id,
        after: {
          event: body.event,
          kind: row.kind,
          attempt,
          status: result.ok ? "delivered" : attempt >= MAX_ATTEMPTS ? "gave_up" : "failed",
          http_status: result.status ?? null,
          error: result.error ?? null,
          next_attempt_at: nextAttemptAt?.toISOString() ?? null,
          webhook: describeWebhook(webhookUrl),
        },
      });
    });
  }
  return run;
}
