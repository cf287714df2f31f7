import { auditEvents } from "../../db/schema";
import type { DbOrTx } from "../../db/client";
import type { Actor } from "../core/actor";

export interface AuditInput {
  action: string;
  resourceType: string;
  resourceId?: string | null;
  before?: unknown;
  after?: unknown;
}

/**
 * Secrets and bulky PEM never reach the audit log: strip fields that could hold them. `certificate` is
 * dropped only when it is text (a PEM), so a Valid Certificate rule `{"certificate":{}}` is kept.
 */
const SECRET_KEYS = new Set(["password", "passwordHash", "certificatePem", "token", "tokenHash", "crlPem"]);
const TEXT_SECRET_KEYS = new Set(["certificate", "crl", "pem"]);

export function redact(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (Array.isArray(value)) return value.map(redact);
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (SECRET_KEYS.has(k) || (TEXT_SECRET_KEYS.has(k) && typeof v === "string")) continue;
      out[k] = redact(v);
    }
    return out;
  }
  return value;
}

/** Write an audit event with the same db handle (pass the transaction to keep it atomic with the change). */
export async function writeAudit(tx: DbOrTx, actor: Actor, event: AuditInput): Promise<void> {
  await tx.insert(auditEvents).values({
    actorType: actor.type,
    actorId: actor.id,
    actor: actor.label,
    action: event.action,
    resourceType: event.resourceType,
    resourceId: event.resourceId ?? null,
    before: redact(event.before) ?? null,
    after: redact(event.after) ?? null,
    ip: actor.ip ?? null,
  });
}
