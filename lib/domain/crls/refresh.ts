/**
 * CRLs that keep themselves fresh: a **CRL URL** per mTLS certificate (prefilled from its CA certificates' http(s)
 * CRL Distribution Point). Portcullis downloads it (lib/server/fetch-bounded: http/https, 10 s, 20 MiB, redirects
 * only to http(s); internal addresses allowed, internal CAs live there), checks it exactly as an uploaded CRL
 * (./index `checkCrlForChain`: signed by a CA of the chain), and stores it the same way (PEM + summary, version
 * bumped, so the gateway's configuration poll reloads it without a restart). It is fetched again at half the time
 * left to its nextUpdate, at least hourly and at most daily (`nextRefreshAt`), by the scheduler (lib/server).
 * A failed download or a refused CRL keeps the last good CRL, is recorded in `crl_refresh.lastError` (which raises
 * the alert "CRL download failed", lib/domain/alerts) and is audited; the next success clears it.
 */
import { and, eq, isNotNull, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { mtlsCertificates } from "../../db/schema";
import { parseCertificates } from "../../pki/path";
import { fetchBounded } from "../../server/fetch-bounded";
import type { Actor } from "../core/actor";
import { SYSTEM_ACTOR } from "../core/actor";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { isUuid, type ChainMemberSummary } from "../certificates/queries";
import { checkCrlForChain, CERTIFICATE_STALE_MESSAGE, type StoredCrlSummary } from "./index";

export const MIN_REFRESH_MS = 3_600_000;
export const MAX_REFRESH_MS = 86_400_000;

export interface CrlRefreshState {
  lastAttemptAt: string | null;
  lastSuccessAt: string | null;
  /** why the last download failed or was refused; null after a success */
  lastError: string | null;
  /** when the next download is due */
  nextAt: string;
}

/** Half the time left to `nextUpdate`, clamped to [1 hour, 1 day]; a day when the CRL has no nextUpdate. */
export function nextRefreshAt(nextUpdate: Date | null, now: Date): Date {
  const half = nextUpdate ? (nextUpdate.getTime() - now.getTime()) / 2 : MAX_REFRESH_MS;
  return new Date(now.getTime() + Math.min(MAX_REFRESH_MS, Math.max(MIN_REFRESH_MS, half)));
}

/** The first http(s) CRL Distribution Point URI among the stored chain's certificates (the CRL URL's suggestion). */
export function suggestedCrlUrl(chainPem: string): string | null {
  for (const c of parseCertificates([chainPem]).certs) {
    for (const dp of c.crlDistributionPoints ?? []) {
      const uri = dp.name?.fullName?.find((g) => g.type === "uri" && /^https?:\/\//i.test(g.value));
      if (uri) return uri.value;
    }
  }
  return null;
}

export interface CrlSource {
  url: string | null;
  suggested: string | null;
  refresh: CrlRefreshState | null;
}

/** The CRL URL of certificate `id`, its suggestion and the refresh state (null: no such certificate). */
export async function getCrlSource(id: string): Promise<CrlSource | null> {
  if (!isUuid(id)) return null;
  const db = await getDb();
  const [row] = await db.select({ url: mtlsCertificates.crlUrl, refresh: mtlsCertificates.crlRefresh, pem: mtlsCertificates.certificatePem }).from(mtlsCertificates).where(eq(mtlsCertificates.id, id));
  if (!row) return null;
  return { url: row.url, suggested: suggestedCrlUrl(row.pem), refresh: (row.refresh as CrlRefreshState | null) ?? null };
}

const urlSchema = z.object({
  crl_url: z
    .string({ error: "CRL URL must be text" })
    .trim()
    .max(2048, "The CRL URL must be at most 2048 characters")
    .refine((s) => s === "" || /^https?:\/\/[^\s/]+/i.test(s), "Enter an http or https URL, such as http://pki.example.com/ca.crl"),
  version: z.coerce.number().int().positive().optional(),
});

/** Bytes as the CRL text `checkCrlForChain` reads: PEM as is, DER as base64. */
const crlText = (body: Uint8Array) => {
  const s = Buffer.from(body).toString("latin1");
  return s.includes("-----BEGIN") ? s : Buffer.from(body).toString("base64");
};

/**
 * Sets (or, with "", removes) the CRL URL of certificate `id` and downloads it at once. Input `{crl_url, version?}`.
 * A failed first download keeps the URL (the scheduler tries again) and comes back as a warning.
 */
export async function setCrlUrl(actor: Actor, id: string, input: unknown): Promise<Result<CrlSource>> {
  if (!isUuid(id)) return fail("not_found", "That mTLS certificate no longer exists.");
  const parsed = urlSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the CRL URL.", fieldErrors);
  }
  const url = parsed.data.crl_url || null;
  const saved = await mutate(actor, async (tx, audit) => {
    const [row] = await tx.select().from(mtlsCertificates).where(eq(mtlsCertificates.id, id)).limit(1).for("update");
    if (!row) return fail("not_found", "That mTLS certificate no longer exists.");
    if (parsed.data.version !== undefined && parsed.data.version !== row.version) return fail("stale", CERTIFICATE_STALE_MESSAGE);
    await tx.update(mtlsCertificates).set({ crlUrl: url, crlRefresh: null, version: row.version + 1, updatedAt: new Date() }).where(eq(mtlsCertificates.id, id));
    await audit({ action: "mtls_certificate.crl_url", resourceType: "mtls_certificate", resourceId: id, before: { name: row.name, crl_url: row.crlUrl }, after: { name: row.name, crl_url: url } });
    return ok(null);
  });
  if (!saved.ok) return saved;
  const warnings: string[] = [];
  if (url) {
    const r = await refreshCrl(id);
    if (!r.ok) warnings.push(`The CRL could not be downloaded: ${r.error}. Portcullis tries again within an hour; until then the last good CRL (if any) is used.`);
  }
  const source = await getCrlSource(id);
  return source ? ok(source, warnings.length ? warnings : undefined) : fail("not_found", "That mTLS certificate no longer exists.");
}

export type RefreshOutcome = { ok: true; changed: boolean } | { ok: false; error: string };

/** Downloads and stores the CRL of certificate `id` now (the scheduler and `setCrlUrl`). Never throws. */
export async function refreshCrl(id: string, now = new Date()): Promise<RefreshOutcome> {
  const db = await getDb();
  const [row] = await db.select({ url: mtlsCertificates.crlUrl, refresh: mtlsCertificates.crlRefresh }).from(mtlsCertificates).where(eq(mtlsCertificates.id, id));
  if (!row?.url) return { ok: false, error: "No CRL URL is set" };
  const url = row.url;
  const prev = (row.refresh as CrlRefreshState | null) ?? null;
  const res = await fetchBounded(url);
  let error: string | null = res.ok ? null : res.error;
  const result = await mutate(SYSTEM_ACTOR, async (tx, audit) => {
    const [cur] = await tx.select().from(mtlsCertificates).where(and(eq(mtlsCertificates.id, id), eq(mtlsCertificates.crlUrl, url))).limit(1).for("update");
    if (!cur) return ok(false);
    let checked: Awaited<ReturnType<typeof checkCrlForChain>> | null = null;
    if (res.ok) {
      checked = await checkCrlForChain(crlText(res.body), cur.certificatePem, cur.chain as ChainMemberSummary[]);
      if (!checked.ok) error = `the CRL at ${url} was refused: ${checked.error.message}`;
    }
    if (error || !checked?.ok) {
      const state: CrlRefreshState = { lastAttemptAt: now.toISOString(), lastSuccessAt: prev?.lastSuccessAt ?? null, lastError: error, nextAt: new Date(now.getTime() + MIN_REFRESH_MS).toISOString() };
      await tx.update(mtlsCertificates).set({ crlRefresh: state }).where(eq(mtlsCertificates.id, id));
      await audit({ action: "mtls_certificate.crl_fetch_failed", resourceType: "mtls_certificate", resourceId: id, after: { name: cur.name, crl_url: url, error } });
      return ok(false);
    }
    const summary: StoredCrlSummary = checked.value.summary;
    const nextAt = nextRefreshAt(summary.nextUpdate ? new Date(summary.nextUpdate) : null, now).toISOString();
    const state: CrlRefreshState = { lastAttemptAt: now.toISOString(), lastSuccessAt: now.toISOString(), lastError: null, nextAt };
    const changed = cur.crlPem !== checked.value.pem;
    // An unchanged CRL only moves the schedule: no version bump, so the gateway keeps its compiled contexts.
    await tx
      .update(mtlsCertificates)
      .set(changed ? { crlPem: checked.value.pem, crl: summary, crlRefresh: state, version: cur.version + 1, updatedAt: now } : { crlRefresh: state })
      .where(eq(mtlsCertificates.id, id));
    if (changed || prev?.lastError) {
      await audit({
        action: "mtls_certificate.crl_fetch",
        resourceType: "mtls_certificate",
        resourceId: id,
        after: { name: cur.name, crl_url: url, issuer: summary.issuer, thisUpdate: summary.thisUpdate, nextUpdate: summary.nextUpdate, revoked_count: summary.revoked_count },
      });
    }
    return ok(changed);
  });
  if (!result.ok) return { ok: false, error: result.error.message };
  if (error) {
    // Raise (or, after a success, resolve) the "CRL download failed" alert now rather than at the next hourly pass.
    await (await import("../alerts")).evaluateAlerts(now).catch(() => undefined);
    return { ok: false, error };
  }
  if (prev?.lastError) await (await import("../alerts")).evaluateAlerts(now).catch(() => undefined);
  return { ok: true, changed: result.value };
}

/** Refreshes every CRL whose download is due at `now` (the scheduler's tick). */
export async function refreshDueCrls(now = new Date()): Promise<{ id: string; outcome: RefreshOutcome }[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: mtlsCertificates.id })
    .from(mtlsCertificates)
    .where(and(isNotNull(mtlsCertificates.crlUrl), sql`coalesce((${mtlsCertificates.crlRefresh} ->> 'nextAt')::timestamptz, '-infinity') <= ${now.toISOString()}::timestamptz`));
  const out: { id: string; outcome: RefreshOutcome }[] = [];
  for (const r of rows) out.push({ id: r.id, outcome: await refreshCrl(r.id, now) });
  return out;
}
