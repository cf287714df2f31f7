import { createHash, randomBytes } from "node:crypto";
import { and, count, desc, eq, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { apiTokens, users } from "../../db/schema";
import type { Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";

/** API tokens: `pc_` + 40 base62 characters (≈238 bits). Only the SHA-256 of the secret is stored. */
export const TOKEN_PREFIX = "pc_";
const TOKEN_RE = /^pc_[0-9A-Za-z]{40}$/;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
export const MAX_ACTIVE_TOKENS_PER_USER = 50;
const LAST_USED_RESOLUTION_MS = 60_000;

export type TokenPermission = "read" | "edit";
export type TokenStatus = "active" | "expired" | "revoked";

export interface ApiTokenDto {
  id: string;
  name: string;
  permission: TokenPermission;
  ownerEmail: string;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  status: TokenStatus;
}

export interface CreatedApiToken {
  token: ApiTokenDto;
  /** Shown once; never stored or logged. */
  secret: string;
}

export function generateTokenSecret(): string {
  let out = TOKEN_PREFIX;
  while (out.length < TOKEN_PREFIX.length + 40) {
    for (const b of randomBytes(48)) {
      // 248 = 4 × 62: rejection sampling keeps every character equally likely.
      if (b < 248 && out.length < TOKEN_PREFIX.length + 40) out += BASE62[b % 62];
    }
  }
  return out;
}

export const hashTokenSecret = (secret: string): string => createHash("sha256").update(secret, "utf8").digest("hex");
export const looksLikeToken = (secret: string): boolean => TOKEN_RE.test(secret);

const endOfDayUtc = (date: string) => new Date(`${date}T23:59:59.999Z`);

export const createTokenSchema = z.object({
  name: z
    .string({ error: "Token name is required" })
    .trim()
    .min(1, "Token name is required")
    .max(100, "Token name must be at most 100 characters"),
  permission: z.enum(["read", "edit"], { error: "Choose a permission: Read or Edit" }),
  expires_at: z
    .union([z.literal(""), z.iso.date("Expiry must be a date (YYYY-MM-DD)")])
    .optional()
    .default("")
    .refine((d) => !d || endOfDayUtc(d).getTime() > Date.now(), "Expiry must be today or a later date"),
});

const revokeSchema = z.object({ id: z.uuid("Unknown API token") });

type Row = typeof apiTokens.$inferSelect;

function statusOf(row: Pick<Row, "revokedAt" | "expiresAt">, now = Date.now()): TokenStatus {
  if (row.revokedAt) return "revoked";
  if (row.expiresAt && row.expiresAt.getTime() <= now) return "expired";
  return "active";
}

const toDto = (row: Row, ownerEmail: string): ApiTokenDto => ({
  id: row.id,
  name: row.name,
  permission: row.permission,
  ownerEmail,
  createdAt: row.createdAt.toISOString(),
  lastUsedAt: row.lastUsedAt?.toISOString() ?? null,
  expiresAt: row.expiresAt?.toISOString() ?? null,
  revokedAt: row.revokedAt?.toISOString() ?? null,
  status: statusOf(row),
});

/** What the audit log keeps about a token (never the secret or its hash). */
const auditView = (dto: ApiTokenDto) => ({ name: dto.name, permission: dto.permission, owner: dto.ownerEmail, expires_at: dto.expiresAt, status: dto.status });

export async function listApiTokens(): Promise<ApiTokenDto[]> {
  const db = await getDb();
  const rows = await db
    .select({ token: apiTokens, email: users.email })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .orderBy(desc(apiTokens.createdAt));
  return rows.map((r) => toDto(r.token, r.email));
}

/** Create a token owned by the signed-in user. Tokens cannot mint tokens. */
export async function createApiToken(actor: Actor, input: unknown): Promise<Result<CreatedApiToken>> {
  if (actor.type !== "user" || !actor.id) return fail("forbidden", "API tokens can only be created by a signed-in user in Settings.");
  const parsed = createTokenSchema.safeParse(input);
  if (!parsed.success) return fail("validation", "Check the highlighted fields.", zodFieldErrors(parsed.error.issues));
  const ownerId = actor.id;
  return mutate(actor, async (tx, audit) => {
    const [owner] = await tx.select({ email: users.email }).from(users).where(eq(users.id, ownerId)).limit(1);
    if (!owner) return fail("unauthenticated", "Your account no longer exists. Sign in again.");
    const [{ n }] = await tx
      .select({ n: count() })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, ownerId), isNull(apiTokens.revokedAt)));
    if (n >= MAX_ACTIVE_TOKENS_PER_USER) {
      return fail("limit", `You already have ${MAX_ACTIVE_TOKENS_PER_USER} API tokens; revoke one first.`, {
        name: [`At most ${MAX_ACTIVE_TOKENS_PER_USER} tokens per user`],
      });
    }
    const secret = generateTokenSecret();
    const [row] = await tx
      .insert(apiTokens)
      .values({
        name: parsed.data.name,
        userId: ownerId,
        permission: parsed.data.permission,
        tokenHash: hashTokenSecret(secret),
        expiresAt: parsed.data.expires_at ? endOfDayUtc(parsed.data.expires_at) : null,
      })
      .returning();
    const dto = toDto(row, owner.email);
    await audit({ action: "api_token.create", resourceType: "api_token", resourceId: row.id, after: auditView(dto) });
    return ok({ token: dto, secret });
  });
}

export async function revokeApiToken(actor: Actor, input: unknown): Promise<Result<ApiTokenDto>> {
  const parsed = revokeSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  return mutate(actor, async (tx, audit) => {
    const [current] = await tx
      .select({ token: apiTokens, email: users.email })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.id, parsed.data.id))
      .limit(1);
    if (!current) return fail("not_found", "That API token no longer exists.");
    if (current.token.revokedAt) return ok(toDto(current.token, current.email));
    const [row] = await tx.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, parsed.data.id)).returning();
    const before = toDto(current.token, current.email);
    const after = toDto(row, current.email);
    await audit({ action: "api_token.revoke", resourceType: "api_token", resourceId: row.id, before: auditView(before), after: auditView(after) });
    return ok(after);
  });
}

export interface AuthenticatedToken {
  actor: Actor;
  token: { id: string; name: string; expiresAt: string | null; permission: TokenPermission };
}

/**
 * Resolve a presented secret to an actor: the owner's *current* role combined with the token's
 * permission. With `email` (X-Auth-Email + X-Auth-Key), the token must belong to that user.
 */
export async function authenticateApiToken(
  secret: string,
  opts: { email?: string; ip?: string | null } = {},
): Promise<Result<AuthenticatedToken>> {
  if (!looksLikeToken(secret)) return fail("unauthenticated", "The API token is not valid.");
  const db = await getDb();
  const [row] = await db
    .select({ token: apiTokens, email: users.email, role: users.role })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.tokenHash, hashTokenSecret(secret)))
    .limit(1);
  if (!row) return fail("unauthenticated", "The API token is not valid.");
  const status = statusOf(row.token);
  if (status === "revoked") return fail("unauthenticated", "The API token has been revoked.");
  if (status === "expired") return fail("unauthenticated", "The API token has expired.");
  if (opts.email !== undefined && opts.email.trim().toLowerCase() !== row.email) {
    return fail("unauthenticated", "The API key does not belong to the user given in X-Auth-Email.");
  }
  const now = new Date();
  if (!row.token.lastUsedAt || now.getTime() - row.token.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const cutoff = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiTokens)
      .set({ lastUsedAt: now })
      .where(and(eq(apiTokens.id, row.token.id), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, cutoff))));
  }
  const actor: Actor = {
    type: "token",
    id: row.token.id,
    label: `token:${row.token.name} (${row.email})`,
    role: row.role,
    permission: row.token.permission,
    ip: opts.ip ?? null,
  };
  return ok({
    actor,
    token: { id: row.token.id, name: row.token.name, expiresAt: row.token.expiresAt?.toISOString() ?? null, permission: row.token.permission },
  });
}
