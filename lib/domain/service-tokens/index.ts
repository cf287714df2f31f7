/**
 * Access service tokens (Cloudflare's `/access/service_tokens`): a Client ID (`<32 hex>.access`, public, sent in
 * `CF-Access-Client-Id`) and a Client Secret (64 hex, sent in `CF-Access-Client-Secret`), shown once. DTOs use
 * Cloudflare's JSON field names so the REST API returns them as they are.
 *
 * - Create: name and duration (Go duration such as 8760h, or "forever"; default one year). Refresh: the token is
 *   valid for its duration again, from now. Rotate: a new secret; the previous one stops working at once, or at
 *   `previous_client_secret_expires_at` (at most 30 days ahead), and until then both work. Update: name, duration
 *   (renews from now, as Cloudflare does), enabled, and the previous secret's expiry. Delete.
 * - Every change goes through `mutate` (role check, audit in the same transaction; secrets and their hashes never
 *   reach the audit log) and then tells the gateway (`notifyConfigChanged`), which drops its cached tokens.
 * - The gateway reads every token once per configuration generation (`serviceTokensForGateway`): plain data,
 *   shippable to worker processes.
 *
 * The parts: ./credentials (Client ID, secret, hash), ./dto (what the API shows and the audit log keeps), ./input
 * (limits and schemas), ./gateway (the reads for the gateway, the tester and the alerts); the changes are here.
 */
import { and, asc, count, eq, ilike, or, sql } from "drizzle-orm";
import { getDb } from "../../db/client";
import { serviceTokens } from "../../db/schema";
import type { Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, type Result } from "../core/result";
import { DEFAULT_DURATION } from "./choices";
import { hashClientSecret, newClientId, newClientSecret } from "./credentials";
import { auditView, toServiceTokenDto, type Row, type ServiceTokenDto, type ServiceTokenWithSecret } from "./dto";
import {
  createServiceTokenSchema,
  expiryFrom,
  graceUntil,
  idSchema,
  MAX_SERVICE_TOKENS,
  notFound,
  rotateServiceTokenSchema,
  updateServiceTokenSchema,
  validation,
} from "./input";

export { DEFAULT_DURATION, DURATION_CHOICES, FOREVER, GRACE_CHOICES } from "./choices";
export { CLIENT_ID_RE, hashClientSecret, newClientId, newClientSecret } from "./credentials";
export { toServiceTokenDto, type ServiceTokenDto, type ServiceTokenWithSecret } from "./dto";
export { createServiceTokenSchema, durationMs, MAX_GRACE_MS, MAX_NAME_LENGTH, MAX_SERVICE_TOKENS, rotateServiceTokenSchema, updateServiceTokenSchema } from "./input";
export { serviceTokenExpiries, serviceTokensForGateway, serviceTokenState, type GatewayServiceToken } from "./gateway";

export interface ListServiceTokensOptions {
  page?: number;
  perPage?: number;
  /** exact name (Cloudflare's `name` filter) */
  name?: string;
  /** substring of the name or Client ID */
  search?: string;
}

export async function listServiceTokens(opts: ListServiceTokensOptions = {}): Promise<{ items: ServiceTokenDto[]; total: number }> {
  const db = await getDb();
  const filters = [];
  if (opts.name) filters.push(eq(serviceTokens.name, opts.name));
  if (opts.search) {
    const like = `%${opts.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    filters.push(or(ilike(serviceTokens.name, like), ilike(serviceTokens.clientId, like)));
  }
  const where = filters.length ? and(...filters) : undefined;
  const perPage = opts.perPage ? Math.min(1000, Math.max(1, Math.trunc(opts.perPage))) : undefined;
  const page = opts.page && opts.page > 0 ? Math.trunc(opts.page) : 1;
  const base = db.select().from(serviceTokens).where(where).orderBy(asc(sql`lower(${serviceTokens.name})`), asc(serviceTokens.createdAt), asc(serviceTokens.id));
  const rows = perPage ? await base.limit(perPage).offset((page - 1) * perPage) : await base;
  const [{ total }] = await db.select({ total: count() }).from(serviceTokens).where(where);
  const now = Date.now();
  return { items: rows.map((r) => toServiceTokenDto(r, now)), total };
}

export async function getServiceToken(id: string): Promise<ServiceTokenDto | null> {
  if (!idSchema.safeParse(id).success) return null;
  const db = await getDb();
  const [row] = await db.select().from(serviceTokens).where(eq(serviceTokens.id, id)).limit(1);
  return row ? toServiceTokenDto(row) : null;
}

/** Tell every gateway at once (after the commit: a gateway reloading earlier could cache the old row). */
async function changed<T>(r: Result<T>): Promise<Result<T>> {
  if (r.ok) await notifyConfigChanged().catch((e: Error) => console.error("[service-tokens] notify failed:", e.message));
  return r;
}

export async function createServiceToken(actor: Actor, input: unknown): Promise<Result<ServiceTokenWithSecret>> {
  const parsed = createServiceTokenSchema.safeParse(input);
  if (!parsed.success) return validation(parsed.error.issues);
  const duration = parsed.data.duration ?? DEFAULT_DURATION;
  return changed(
    await mutate(actor, async (tx, audit) => {
      const [{ n }] = await tx.select({ n: count() }).from(serviceTokens);
      if (n >= MAX_SERVICE_TOKENS) {
        return fail("limit", `There are already ${MAX_SERVICE_TOKENS} service tokens (Cloudflare's limit); delete one first.`, { name: [`At most ${MAX_SERVICE_TOKENS} service tokens`] });
      }
      const secret = newClientSecret();
      const now = Date.now();
      const [row] = await tx
        .insert(serviceTokens)
        .values({
          name: parsed.data.name,
          clientId: newClientId(),
          secretHash: hashClientSecret(secret),
          duration,
          expiresAt: expiryFrom(duration, now),
          enabled: parsed.data.enabled ?? true,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        })
        .returning();
      const dto = toServiceTokenDto(row, now);
      await audit({ action: "service_token.create", resourceType: "service_token", resourceId: row.id, after: auditView(dto) });
      return ok({ ...dto, client_secret: secret });
    }),
  );
}

/** Load the row for a change, or a not-found failure. */
async function current(tx: Parameters<Parameters<typeof mutate>[1]>[0], id: string): Promise<Row | null> {
  const [row] = await tx.select().from(serviceTokens).where(eq(serviceTokens.id, id)).limit(1).for("update");
  return row ?? null;
}

/**
 * One change to an existing token: load and lock its row, `plan` the new values from it (or refuse), store them with
 * a new version, audit before and after, then tell the gateway. `extra` is added to the result (rotate: the secret).
 */
async function changeToken<X extends object>(
  actor: Actor,
  id: string,
  action: string,
  plan: (row: Row, now: number) => Result<{ set: Partial<Row>; extra: X }>,
): Promise<Result<ServiceTokenDto & X>> {
  if (!idSchema.safeParse(id).success) return notFound();
  return changed(
    await mutate(actor, async (tx, audit) => {
      const row = await current(tx, id);
      if (!row) return notFound();
      const now = Date.now();
      const p = plan(row, now);
      if (!p.ok) return p;
      const [updated] = await tx
        .update(serviceTokens)
        .set({ ...p.value.set, updatedAt: new Date(now), version: row.version + 1 })
        .where(eq(serviceTokens.id, id))
        .returning();
      const before = toServiceTokenDto(row, now);
      const after = toServiceTokenDto(updated, now);
      await audit({ action, resourceType: "service_token", resourceId: id, before: auditView(before), after: auditView(after) });
      return ok({ ...after, ...p.value.extra });
    }),
  );
}

export async function updateServiceToken(actor: Actor, id: string, input: unknown): Promise<Result<ServiceTokenDto>> {
  if (!idSchema.safeParse(id).success) return notFound();
  const parsed = updateServiceTokenSchema.safeParse(input);
  if (!parsed.success) return validation(parsed.error.issues);
  const p = parsed.data;
  return changeToken(actor, id, "service_token.update", (row, now) => {
    if (p.client_secret_version !== undefined && p.client_secret_version !== row.clientSecretVersion) {
      const m = "Rotate the Client Secret with POST …/service_tokens/{id}/rotate (it returns the new secret); client_secret_version cannot be changed here";
      return fail("validation", m, { client_secret_version: [m] });
    }
    const set: Partial<Row> = {};
    if (p.name !== undefined) set.name = p.name;
    if (p.enabled !== undefined) set.enabled = p.enabled;
    if (p.duration !== undefined) {
      // A new duration renews the token from now (Cloudflare resets the expiration relative to the update).
      set.duration = p.duration;
      set.expiresAt = expiryFrom(p.duration, now);
    }
    if (p.previous_client_secret_expires_at !== undefined) {
      if (!row.previousSecretHash) {
        const m = "This service token has no previous Client Secret to keep or revoke (rotate it first)";
        return fail("validation", m, { previous_client_secret_expires_at: [m] });
      }
      const g = graceUntil(p.previous_client_secret_expires_at, undefined, now);
      if (!g.ok) return fail("validation", g.error, { previous_client_secret_expires_at: [g.error] });
      set.previousSecretExpiresAt = g.at;
      if (!g.at) set.previousSecretHash = null;
    }
    return ok({ set, extra: {} });
  });
}

/** Valid for its duration again, from now (a non-expiring token stays so). */
export async function refreshServiceToken(actor: Actor, id: string): Promise<Result<ServiceTokenDto>> {
  return changeToken(actor, id, "service_token.refresh", (row, now) => ok({ set: { expiresAt: expiryFrom(row.duration, now) }, extra: {} }));
}

/** A new Client Secret (shown once). The previous one works until the grace period ends, or not at all. */
export async function rotateServiceToken(actor: Actor, id: string, input: unknown = {}): Promise<Result<ServiceTokenWithSecret>> {
  if (!idSchema.safeParse(id).success) return notFound();
  const parsed = rotateServiceTokenSchema.safeParse(input ?? {});
  if (!parsed.success) return validation(parsed.error.issues);
  const g = graceUntil(parsed.data.previous_client_secret_expires_at, parsed.data.grace_hours, Date.now());
  if (!g.ok) return fail("validation", g.error, { previous_client_secret_expires_at: [g.error] });
  return changeToken(actor, id, "service_token.rotate", (row) => {
    const secret = newClientSecret();
    return ok({
      set: {
        secretHash: hashClientSecret(secret),
        previousSecretHash: g.at ? row.secretHash : null,
        previousSecretExpiresAt: g.at,
        clientSecretVersion: row.clientSecretVersion + 1,
      },
      extra: { client_secret: secret },
    });
  });
}

/** Deletes the token; requests presenting it get 401 from then on. Returns what was deleted (as Cloudflare). */
export async function deleteServiceToken(actor: Actor, id: string): Promise<Result<ServiceTokenDto>> {
  if (!idSchema.safeParse(id).success) return notFound();
  return changed(
    await mutate(actor, async (tx, audit) => {
      const row = await current(tx, id);
      if (!row) return notFound();
      await tx.delete(serviceTokens).where(eq(serviceTokens.id, id));
      const dto = toServiceTokenDto(row);
      await audit({ action: "service_token.delete", resourceType: "service_token", resourceId: id, before: auditView(dto) });
      return ok(dto);
    }),
  );
}
