/**
 * Expiry alerts for the client certificates the managed CA issued, as for CAs and service tokens: 30 and 14 days
 * before an active certificate expires (lib/domain/alerts raises, notifies and resolves them). A revoked or expired
 * certificate raises nothing; its open alert is resolved.
 */
import { and, eq, gt, lte } from "drizzle-orm";
import type { DbOrTx } from "../../db/client";
import { clientCertificates } from "../../db/schema";

const DAY_MS = 86_400_000;

export interface ClientCertificateFacts {
  id: string;
  label: string;
  commonName: string;
  serialNumber: string;
  expiresOn: Date;
}

export interface ClientCertificateAlert {
  kind: "client_certificate_expiry_30" | "client_certificate_expiry_14";
  resourceType: "client_certificate";
  resourceId: string;
  message: string;
  client_certificate: { id: string; label: string; common_name: string; serial_number: string; expires_on: string; days_left: number };
}

/** Active certificates expiring within 30 days of `now` (and not yet expired). */
export async function clientCertificateExpiries(db: DbOrTx, now = new Date()): Promise<ClientCertificateFacts[]> {
  return db
    .select({ id: clientCertificates.id, label: clientCertificates.label, commonName: clientCertificates.commonName, serialNumber: clientCertificates.serialNumber, expiresOn: clientCertificates.expiresOn })
    .from(clientCertificates)
    .where(and(eq(clientCertificates.status, "active"), gt(clientCertificates.expiresOn, now), lte(clientCertificates.expiresOn, new Date(now.getTime() + 30 * DAY_MS))));
}

export function clientCertificateAlertConditions(certs: ClientCertificateFacts[], now: Date): ClientCertificateAlert[] {
  const out: ClientCertificateAlert[] = [];
  for (const c of certs) {
    const ms = c.expiresOn.getTime() - now.getTime();
    if (ms <= 0 || ms > 30 * DAY_MS) continue;
    const within = ms <= 14 * DAY_MS ? 14 : 30;
    const name = c.label || c.commonName || c.serialNumber;
    out.push({
      kind: within === 14 ? "client_certificate_expiry_14" : "client_certificate_expiry_30",
      resourceType: "client_certificate",
      resourceId: c.id,
      message: `Client certificate "${name}" expires within ${within} days (on ${c.expiresOn.toISOString().slice(0, 10)}). Issue a new one for its device.`,
      client_certificate: { id: c.id, label: c.label, common_name: c.commonName, serial_number: c.serialNumber, expires_on: c.expiresOn.toISOString(), days_left: Math.ceil(ms / DAY_MS) },
    });
  }
  return out;
}
