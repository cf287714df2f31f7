/** Reads for the gateway, the tester and the alerts: every token's state, one token by id or Client ID, the expiries. */
import { asc, eq, sql } from "drizzle-orm";
import type { ServiceTokenState } from "../../access/service-token";
import { getDb } from "../../db/client";
import { serviceTokens } from "../../db/schema";
import { CLIENT_ID_RE } from "./credentials";
import { idSchema } from "./input";

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
