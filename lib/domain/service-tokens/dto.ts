/** A service token as the API and the console show it (Cloudflare's JSON field names), and as the audit log keeps it. */
import type { serviceTokens } from "../../db/schema";

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


export type Row = typeof serviceTokens.$inferSelect;

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
export const auditView = (d: ServiceTokenDto) => ({
  name: d.name,
  client_id: d.client_id,
  duration: d.duration,
  expires_at: d.expires_at,
  enabled: d.enabled,
  client_secret_version: d.client_secret_version,
  previous_client_secret_expires_at: d.previous_client_secret_expires_at,
});
