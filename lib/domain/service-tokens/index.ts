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
 */
import { createHash, randomBytes } from "node:crypto";
import { and, asc, count, eq, ilike, or, sql } from "drizzle-orm";
import { z } from "zod";
import type { ServiceTokenState } from "../../access/service-token";
import { getDb } from "../../db/client";
import { serviceTokens } from "../../db/schema";
import { formatGoDuration, parseGoDuration } from "../../policy";
import type { Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { DEFAULT_DURATION, FOREVER } from "./choices";

export { DEFAULT_DURATION, DURATION_CHOICES, FOREVER, GRACE_CHOICES } from "./choices";

/** Cloudflare's "Service tokens count" limit per account. */
export const MAX_SERVICE_TOKENS = 50;
export const MAX_NAME_LENGTH = 350;
/** Longest grace period for a rotated-out secret (Cloudflare's dashboard offers one hour to 30 days). */
export const MAX_GRACE_MS = 30 * 86_400_000;
/** Longest duration accepted (the API takes any Go duration; beyond this a date is meaningless). */
const MAX_DURATION_MS = 876_000 * 3_600_000;
const HOUR_MS = 3_600_000;

export const CLIENT_ID_RE = /^[0-9a-f]{32}\.access$/;

export const newClientId = (): string => `${randomBytes(16).toString("hex")}.access`;
/** 32 random bytes as 64 hex characters (Cloudflare's Client Secret format). */
export const newClientSecret = (): string => randomBytes(32).toString("hex");
/**
 * Why a plain SHA-256 and not a password hash (argon2): the secret is 256 bits from the CSPRNG, so the stored hash
 * cannot be reversed by guessing (a slow hash only helps against low-entropy passwords), and the gateway checks it
 * on requests where a password hash's tens of milliseconds would cap throughput. API tokens are stored the same way.
 */
export const hashClientSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");

export interface ServiceTokenDto {
  id: string;
  name: string;
  client_id: string;
  duration: string;
  /** null: never expires */
  expires_at: string | null;
  enabled: boolean;
  client_secret_version: number;
  /** while a rotated-out secret is still accepted; else null */
  previous_client_secret_expires_at: string | null;
  last_seen_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface ServiceTokenWithSecret extends ServiceTokenDto {
  /** Shown once; only its SHA-256 is stored. */
  client_secret: string;
}

type Row = typeof serviceTokens.$inferSelect;

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

export function toServiceTokenDto(row: Row, now = Date.now()): ServiceTokenDto {
  const prev = row.previousSecretHash && row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > now ? row.previousSecretExpiresAt : null;
  return {
    id: row.id,
    name: row.name,
    client_id: row.clientId,
    duration: row.duration,
    expires_at: iso(row.expiresAt),
    enabled: row.enabled,
    client_secret_version: row.clientSecretVersion,
    previous_client_secret_expires_at: iso(prev),
    last_seen_at: iso(row.lastSeenAt),
    created_at: row.createdAt.toISOString(),
    updated_at: row.updatedAt.toISOString(),
  };
}

/** What the audit log keeps (never the secret or a hash of it). */
const auditView = (d: ServiceTokenDto) => ({
  name: d.name,
  client_id: d.client_id,
  duration: d.duration,
  expires_at: d.expires_at,
  enabled: d.enabled,
  client_secret_version: d.client_secret_version,
  previous_client_secret_expires_at: d.previous_client_secret_expires_at,
});

/** "8760h" → ms, "forever" → null; or a message. */
export function durationMs(duration: string): { ok: true; ms: number | null } | { ok: false; error: string } {
  if (duration === FOREVER) return { ok: true, ms: null };
  const r = parseGoDuration(duration);
  if (!r.ok) return { ok: false, error: `${r.error} (use a Go duration such as 8760h, or "forever" for a token that never expires)` };
  if (r.ms <= 0) return { ok: false, error: "Service Token Duration must be longer than zero" };
  if (r.ms > MAX_DURATION_MS) return { ok: false, error: "Service Token Duration must be at most 876000h (100 years)" };
  return { ok: true, ms: r.ms };
}

const durationSchema = z
  .string({ error: `Service Token Duration must be a string such as 8760h, or "forever"` })
  .trim()
  .transform((v, ctx) => {
    const d = durationMs(v);
    if (!d.ok) {
      ctx.addIssue({ code: "custom", message: d.error });
      return z.NEVER;
    }
    // Stored canonical ("8760h0m0s"-style variants collapse to "8760h"), as Cloudflare echoes it back.
    return v === FOREVER ? FOREVER : formatGoDuration(d.ms!);
  });

const nameSchema = z
  .string({ error: "Service token name is required" })
  .trim()
  .min(1, "Service token name is required")
  .max(MAX_NAME_LENGTH, `Service token name must be at most ${MAX_NAME_LENGTH} characters`)
  .refine((s) => !s.includes("\0"), "Service token name must not contain null characters");

const instantSchema = z.union([z.iso.datetime({ offset: true, error: "Must be an RFC 3339 date and time such as 2030-01-01T00:00:00Z" }), z.null()]);

export const createServiceTokenSchema = z.object(
  {
    name: nameSchema,
    duration: durationSchema.optional(),
    enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
  },
  { error: "The service token must be a JSON object" },
);

export const updateServiceTokenSchema = z.object(
  {
    name: nameSchema.optional(),
    duration: durationSchema.optional(),
    enabled: z.boolean({ error: "enabled must be true or false" }).optional(),
    previous_client_secret_expires_at: instantSchema.optional(),
    client_secret_version: z.number({ error: "client_secret_version must be a number" }).int().optional(),
  },
  { error: "The service token must be a JSON object" },
);

export const rotateServiceTokenSchema = z.object(
  {
    previous_client_secret_expires_at: instantSchema.optional(),
    /** the console's choice: hours the old secret keeps working (0 = revoke at once) */
    grace_hours: z.coerce.number({ error: "Choose how long the current secret stays valid" }).int().min(0).max(MAX_GRACE_MS / HOUR_MS).optional(),
  },
  { error: "The rotation must be a JSON object" },
);

const idSchema = z.uuid("No service token with that id");

const validation = (issues: z.core.$ZodIssue[]) => fail("validation", issues[0].message, zodFieldErrors(issues));
const notFound = () => fail("not_found", "That service token no longer exists.");

/** The previous secret's expiry from a request: past/absent = revoke at once (null); beyond 30 days is refused. */
function graceUntil(raw: string | null | undefined, hours: number | undefined, now: number): { ok: true; at: Date | null } | { ok: false; error: string } {
  let at: number | null = null;
  if (hours !== undefined) at = hours > 0 ? now + hours * HOUR_MS : null;
  else if (raw) at = Date.parse(raw);
  if (at === null || at <= now) return { ok: true, at: null };
  if (at - now > MAX_GRACE_MS + 60_000) return { ok: false, error: "The previous Client Secret can stay valid for at most 30 days" };
  return { ok: true, at: new Date(at) };
}

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

const expiryFrom = (duration: string, now: number): Date | null => {
  const d = durationMs(duration);
  return d.ok && d.ms !== null ? new Date(now + d.ms) : null;
};

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

/** A token as the gateway verifies it: its state for lib/access and the SHA-256 (hex) of the secrets it accepts. */
export interface GatewayServiceToken extends ServiceTokenState {
  secretHash: string;
  previousSecretHash: string | null;
}

/**
 * Every token, for the gateway: at most MAX_SERVICE_TOKENS rows, read once per configuration generation, so a
 * request with an unknown Client ID costs a map lookup and never a query. Plain data: shipped to gateway workers.
 */
export async function serviceTokensForGateway(): Promise<GatewayServiceToken[]> {
  const db = await getDb();
  const rows = await db.select().from(serviceTokens);
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    clientId: row.clientId,
    enabled: row.enabled,
    expiresAt: row.expiresAt?.getTime() ?? null,
    previousSecretExpiresAt: row.previousSecretHash ? (row.previousSecretExpiresAt?.getTime() ?? null) : null,
    secretHash: row.secretHash,
    previousSecretHash: row.previousSecretHash,
  }));
}

/**
 * The token a tester names (its id or its Client ID) as lib/access sees it, or null. The tester evaluates "as if
 * presented": the secret is taken to be the current one.
 */
export async function serviceTokenState(idOrClientId: string): Promise<ServiceTokenState | null> {
  const key = idOrClientId.trim();
  const db = await getDb();
  const where = idSchema.safeParse(key).success ? eq(serviceTokens.id, key) : CLIENT_ID_RE.test(key.toLowerCase()) ? eq(serviceTokens.clientId, key.toLowerCase()) : null;
  if (!where) return null;
  const [row] = await db.select().from(serviceTokens).where(where).limit(1);
  if (!row) return null;
  return { id: row.id, name: row.name, clientId: row.clientId, enabled: row.enabled, expiresAt: row.expiresAt?.getTime() ?? null, previousSecretExpiresAt: null };
}

/** Name and expiry of every token that expires, for the alerts. */
export async function serviceTokenExpiries(): Promise<{ id: string; name: string; expiresAt: Date }[]> {
  const db = await getDb();
  const rows = await db
    .select({ id: serviceTokens.id, name: serviceTokens.name, expiresAt: serviceTokens.expiresAt })
    .from(serviceTokens)
    .where(sql`${serviceTokens.expiresAt} is not null`)
    .orderBy(asc(serviceTokens.expiresAt));
  return rows.map((r) => ({ id: r.id, name: r.name, expiresAt: r.expiresAt! }));
}
