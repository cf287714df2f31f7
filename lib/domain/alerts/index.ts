import { and, asc, desc, eq, inArray, isNull, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { alerts, clientCertificates, mtlsCertificates, serviceTokens } from "../../db/schema";
import { clientCertificateAlertConditions, clientCertificateExpiries, type ClientCertificateAlert } from "../client-certificates/alerts";
import { writeAudit } from "../audit/record";
import { SYSTEM_ACTOR } from "../core/actor";
import { serviceTokenExpiries } from "../service-tokens";

/**
 * Alerts: conditions Portcullis watches on mTLS certificates and service tokens. Each kind is raised at most once
 * per resource (unique kind × resource), so each threshold is notified once; a condition that no longer holds
 * (certificate deleted or replaced, CRL refreshed, service token refreshed or deleted) is resolved and its pending
 * retries stop.
 */
export const ALERT_KINDS = ["cert_expiry_30", "cert_expiry_14", "cert_expired", "crl_stale", "crl_fetch_failed", "service_token_expiry_30", "service_token_expiry_14", "service_token_expired", "client_certificate_expiry_30", "client_certificate_expiry_14"] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];
export const EXPIRY_KINDS: readonly AlertKind[] = ["cert_expiry_30", "cert_expiry_14", "cert_expired"];
export const SERVICE_TOKEN_KINDS: readonly AlertKind[] = ["service_token_expiry_30", "service_token_expiry_14", "service_token_expired"];
/** The resource types alerts are raised for. */
export const ALERT_RESOURCE_TYPES = ["mtls_certificate", "service_token", "client_certificate"] as const;

export const ALERT_KIND_LABELS: Record<AlertKind, string> = {
  cert_expiry_30: "Expires within 30 days",
  cert_expiry_14: "Expires within 14 days",
  cert_expired: "Expired",
  crl_stale: "CRL out of date",
  crl_fetch_failed: "CRL download failed",
  service_token_expiry_30: "Service token expires within 30 days",
  service_token_expiry_14: "Service token expires within 14 days",
  service_token_expired: "Service token expired",
  client_certificate_expiry_30: "Client certificate expires within 30 days",
  client_certificate_expiry_14: "Client certificate expires within 14 days",
};

const DAY_MS = 86_400_000;

export interface CertificateFacts {
  id: string;
  name: string;
  expiresOn: Date;
  /** The stored CRL's next update (null: no CRL, or a CRL without nextUpdate). */
  crlNextUpdate: Date | null;
  /** why the last automatic CRL download failed (lib/domain/crls/refresh), absent or null when it did not */
  crlFetchError?: string | null;
}

export interface ServiceTokenFacts {
  id: string;
  name: string;
  expiresAt: Date;
}

export interface AlertCondition {
  kind: AlertKind;
  resourceType: (typeof ALERT_RESOURCE_TYPES)[number];
  resourceId: string;
  message: string;
  /** certificate alerts */
  certificate?: { id: string; name: string; expires_on: string; days_left: number };
  /** service-token alerts */
  service_token?: { id: string; name: string; expires_at: string; days_left: number };
  /** client-certificate alerts (lib/domain/client-certificates/alerts) */
  client_certificate?: ClientCertificateAlert["client_certificate"];
}

/** Whole days until `expiresOn`, rounded up (1 ms left counts as 1 day); ≤ 0 once expired. */
export function daysLeft(expiresOn: Date, now: Date): number {
  return Math.ceil((expiresOn.getTime() - now.getTime()) / DAY_MS);
}

/**
 * The expiry threshold a certificate is in, if any: only the most severe one is raised, so a
 * certificate first seen with 10 days left gets one "within 14 days" alert, not two notifications.
 */
export function expiryKind(expiresOn: Date, now: Date): AlertKind | null {
  const ms = expiresOn.getTime() - now.getTime();
  if (ms <= 0) return "cert_expired";
  if (ms <= 14 * DAY_MS) return "cert_expiry_14";
  if (ms <= 30 * DAY_MS) return "cert_expiry_30";
  return null;
}

const day = (d: Date) => d.toISOString().slice(0, 10);

const TOKEN_KIND: Record<string, AlertKind> = { cert_expired: "service_token_expired", cert_expiry_14: "service_token_expiry_14", cert_expiry_30: "service_token_expiry_30" };

/** Pure: the expiry conditions of service tokens at `now` (same thresholds as certificates). */
export function serviceTokenAlertConditions(tokens: ServiceTokenFacts[], now: Date): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const t of tokens) {
    const threshold = expiryKind(t.expiresAt, now);
    if (!threshold || threshold === "crl_stale") continue;
    const kind = TOKEN_KIND[threshold];
    const service_token = { id: t.id, name: t.name, expires_at: t.expiresAt.toISOString(), days_left: daysLeft(t.expiresAt, now) };
    const message =
      kind === "service_token_expired"
        ? `Service token "${t.name}" expired on ${day(t.expiresAt)}. Refresh it, or create a new one.`
        : `Service token "${t.name}" expires within ${kind === "service_token_expiry_14" ? 14 : 30} days (on ${day(t.expiresAt)}). Refresh it to extend it.`;
    out.push({ kind, resourceType: "service_token", resourceId: t.id, message, service_token });
  }
  return out;
}

/** Pure: the conditions that hold for these certificates (and service tokens) at `now`. */
export function alertConditions(certs: CertificateFacts[], now: Date, tokens: ServiceTokenFacts[] = []): AlertCondition[] {
  const out: AlertCondition[] = [];
  for (const c of certs) {
    const certificate = { id: c.id, name: c.name, expires_on: c.expiresOn.toISOString(), days_left: daysLeft(c.expiresOn, now) };
    const base = { resourceType: "mtls_certificate" as const, resourceId: c.id, certificate };
    const kind = expiryKind(c.expiresOn, now);
    if (kind === "cert_expired") {
      out.push({ ...base, kind, message: `Certificate "${c.name}" expired on ${day(c.expiresOn)}. Upload a renewed certificate.` });
    } else if (kind) {
      const within = kind === "cert_expiry_14" ? 14 : 30;
      out.push({
        ...base,
        kind,
        message: `Certificate "${c.name}" expires within ${within} days (on ${day(c.expiresOn)}). Upload a renewed certificate.`,
      });
    }
    if (c.crlNextUpdate && c.crlNextUpdate.getTime() < now.getTime()) {
      out.push({
        ...base,
        kind: "crl_stale",
        message: `The CRL of certificate "${c.name}" was due for an update on ${day(c.crlNextUpdate)}. Upload a current CRL.`,
      });
    }
    if (c.crlFetchError) {
      out.push({ ...base, kind: "crl_fetch_failed", message: `Downloading the CRL of certificate "${c.name}" failed: ${c.crlFetchError}. The last good CRL is kept.` });
    }
  }
  out.push(...serviceTokenAlertConditions(tokens, now));
  return out;
}

function crlNextUpdate(crl: unknown): Date | null {
  if (!crl || typeof crl !== "object") return null;
  const raw = (crl as Record<string, unknown>).nextUpdate ?? (crl as Record<string, unknown>).next_update;
  if (typeof raw !== "string" && typeof raw !== "number") return null;
  const d = new Date(raw);
  return Number.isNaN(d.getTime()) ? null : d;
}

async function certificateFacts(): Promise<CertificateFacts[]> {
  const db = await getDb();
  // Only the CRL's next update, not the whole summary (up to a thousand revoked serials per certificate):
  // every console page with the alert banner reads this.
  const rows = await db
    .select({
      id: mtlsCertificates.id,
      name: mtlsCertificates.name,
      expiresOn: mtlsCertificates.expiresOn,
      nextUpdate: sql<unknown>`${mtlsCertificates.crl} -> 'nextUpdate'`,
      next_update: sql<unknown>`${mtlsCertificates.crl} -> 'next_update'`,
      fetchError: sql<string | null>`${mtlsCertificates.crlRefresh} ->> 'lastError'`,
    })
    .from(mtlsCertificates)
    .orderBy(asc(mtlsCertificates.expiresOn));
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    expiresOn: r.expiresOn,
    crlNextUpdate: crlNextUpdate({ nextUpdate: r.nextUpdate ?? undefined, next_update: r.next_update ?? undefined }),
    crlFetchError: r.fetchError ?? null,
  }));
}

export interface EvaluationResult {
  raised: string[];
  resolved: string[];
}

/**
 * Bring the alerts table in line with the certificates at `now`: insert (or re-open) the conditions that
 * hold, resolve those that no longer do. Safe to run concurrently: inserts skip existing rows, and each
 * change is a conditional update, so a second run changes (and notifies) nothing.
 */
export async function evaluateAlerts(now: Date = new Date()): Promise<EvaluationResult> {
  const db = await getDb();
  const conditions: AlertCondition[] = [...alertConditions(await certificateFacts(), now, await serviceTokenExpiries()), ...clientCertificateAlertConditions(await clientCertificateExpiries(await getDb(), now), now)];
  const existing = await db.select().from(alerts).where(inArray(alerts.resourceType, [...ALERT_RESOURCE_TYPES]));
  const byKey = new Map(existing.map((a) => [`${a.kind}:${a.resourceId}`, a]));
  const held = new Set(conditions.map((c) => `${c.kind}:${c.resourceId}`));
  const result: EvaluationResult = { raised: [], resolved: [] };

  for (const c of conditions) {
    const row = byKey.get(`${c.kind}:${c.resourceId}`);
    await db.transaction(async (tx) => {
      let id: string | undefined;
      if (!row) {
        const [inserted] = await tx
          .insert(alerts)
          .values({ kind: c.kind, resourceType: c.resourceType, resourceId: c.resourceId, message: c.message, createdAt: now, nextAttemptAt: now })
          .onConflictDoNothing()
          .returning({ id: alerts.id });
        id = inserted?.id;
      } else if (row.resolvedAt) {
        // The condition holds again (e.g. a refreshed CRL went stale again): a new occurrence, notified anew.
        const [reopened] = await tx
          .update(alerts)
          .set({ message: c.message, createdAt: now, resolvedAt: null, notifiedAt: null, attempts: 0, lastError: null, nextAttemptAt: now })
          .where(and(eq(alerts.id, row.id), eq(alerts.resolvedAt, row.resolvedAt)))
          .returning({ id: alerts.id });
        id = reopened?.id;
      }
      if (!id) return;
      result.raised.push(id);
      const subject = c.client_certificate ? { client_certificate: c.client_certificate } : c.service_token ? { service_token: c.service_token } : { certificate: c.certificate };
      await writeAudit(tx, SYSTEM_ACTOR, { action: "alert.raise", resourceType: "alert", resourceId: id, after: { kind: c.kind, ...subject, message: c.message } });
    });
  }

  for (const row of existing) {
    if (row.resolvedAt || held.has(`${row.kind}:${row.resourceId}`)) continue;
    await db.transaction(async (tx) => {
      const [done] = await tx
        .update(alerts)
        .set({ resolvedAt: now, nextAttemptAt: null })
        .where(and(eq(alerts.id, row.id), isNull(alerts.resolvedAt)))
        .returning({ id: alerts.id });
      if (!done) return;
      result.resolved.push(done.id);
      await writeAudit(tx, SYSTEM_ACTOR, { action: "alert.resolve", resourceType: "alert", resourceId: done.id, after: { kind: row.kind, resource_id: row.resourceId } });
    });
  }
  return result;
}

export interface AlertDto {
  id: string;
  kind: AlertKind;
  kindLabel: string;
  resourceType: string;
  resourceId: string;
  /** Null when the certificate (or service token) has since been deleted. */
  resourceName: string | null;
  message: string;
  createdAt: string;
  notifiedAt: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
  resolvedAt: string | null;
}

const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** Stored alerts, newest first; resolved ones only when asked. */
export async function listAlerts(opts: { includeResolved?: boolean } = {}): Promise<AlertDto[]> {
  const db = await getDb();
  const rows = await db
    .select({ a: alerts, name: mtlsCertificates.name, tokenName: serviceTokens.name, clientName: sql<string | null>`nullif(coalesce(nullif(${clientCertificates.label}, ''), ${clientCertificates.commonName}), '')` })
    .from(alerts)
    .leftJoin(mtlsCertificates, and(eq(alerts.resourceType, "mtls_certificate"), sql`${mtlsCertificates.id}::text = ${alerts.resourceId}`))
    .leftJoin(serviceTokens, and(eq(alerts.resourceType, "service_token"), sql`${serviceTokens.id}::text = ${alerts.resourceId}`))
    .leftJoin(clientCertificates, and(eq(alerts.resourceType, "client_certificate"), sql`${clientCertificates.id}::text = ${alerts.resourceId}`))
    .where(opts.includeResolved ? undefined : isNull(alerts.resolvedAt))
    .orderBy(desc(alerts.createdAt));
  return rows.map(({ a, name, tokenName, clientName }) => ({
    id: a.id,
    kind: a.kind as AlertKind,
    kindLabel: ALERT_KIND_LABELS[a.kind as AlertKind] ?? a.kind,
    resourceType: a.resourceType,
    resourceId: a.resourceId,
    resourceName: name ?? tokenName ?? clientName ?? null,
    message: a.message,
    createdAt: a.createdAt.toISOString(),
    notifiedAt: iso(a.notifiedAt),
    attempts: a.attempts,
    nextAttemptAt: iso(a.nextAttemptAt),
    lastError: a.lastError,
    resolvedAt: iso(a.resolvedAt),
  }));
}

/**
 * The conditions that hold right now, computed from the certificates and service tokens themselves so that
 * banners are current between scheduler runs (a certificate added a minute ago, or one just deleted).
 */
export async function activeAlerts(now: Date = new Date()): Promise<AlertCondition[]> {
  return [...alertConditions(await certificateFacts(), now, await serviceTokenExpiries()), ...clientCertificateAlertConditions(await clientCertificateExpiries(await getDb(), now), now)];
}
