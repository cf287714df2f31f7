/** What the console and the API see of an issued client certificate, and the validity choices. */
import type { clientCertificates } from "../../db/schema";

/** Cloudflare's validity choices (days), 10 years by default. */
export const VALIDITY_CHOICES = [
  { days: 7, label: "7 days" },
  { days: 30, label: "30 days" },
  { days: 90, label: "90 days" },
  { days: 365, label: "1 year" },
  { days: 730, label: "2 years" },
  { days: 1095, label: "3 years" },
  { days: 3650, label: "10 years" },
  { days: 5475, label: "15 years" },
] as const;
export const DEFAULT_VALIDITY_DAYS = 3650;
export const MIN_VALIDITY_DAYS = 1;
export const MAX_VALIDITY_DAYS = 5475;
export const MAX_LABEL_LENGTH = 200;
export const MAX_REASON_LENGTH = 500;

export const CLIENT_CERTIFICATE_STATUSES = ["active", "pending_revocation", "revoked"] as const;
export type ClientCertificateStatus = (typeof CLIENT_CERTIFICATE_STATUSES)[number];

export interface ClientCertificateView {
  id: string;
  label: string;
  commonName: string;
  /** lower-case hex, as Cloudflare returns serial_number */
  serialNumber: string;
  status: ClientCertificateStatus;
  certificatePem: string;
  /** The certificate followed by the managed CA that issued it. */
  chainPem: string;
  csrPem: string;
  validityDays: number;
  issuedOn: string;
  expiresOn: string;
  /** lower-case hex */
  fingerprintSha256: string;
  /** Subject Key Identifier, lower-case hex */
  ski: string;
  /** The issuing CA's subject */
  issuer: string;
  /** e.g. "ECDSAWithSHA256", "SHA256WithRSA" (Cloudflare's `signature`) */
  signature: string;
  managedCaId: string;
  certificateAuthority: { id: string; name: string };
  subject: { country: string; state: string; location: string; organization: string; organizational_unit: string };
  revokedAt: string | null;
  revocationReason: string | null;
  version: number;
}

export type ClientCertificateRow = typeof clientCertificates.$inferSelect;

export function toClientCertificateView(r: ClientCertificateRow, ca: { name: string; pem: string; subject: string }): ClientCertificateView {
  return {
    id: r.id,
    label: r.label,
    commonName: r.commonName,
    serialNumber: r.serialNumber,
    status: r.status as ClientCertificateStatus,
    certificatePem: r.certificatePem,
    chainPem: `${r.certificatePem.trimEnd()}\n${ca.pem.trimEnd()}\n`,
    csrPem: r.csrPem,
    validityDays: r.validityDays,
    issuedOn: r.issuedOn.toISOString(),
    expiresOn: r.expiresOn.toISOString(),
    fingerprintSha256: r.fingerprintSha256,
    ski: r.ski,
    issuer: ca.subject,
    signature: r.signature,
    managedCaId: r.managedCaId,
    certificateAuthority: { id: r.managedCaId, name: ca.name },
    subject: r.subject as ClientCertificateView["subject"],
    revokedAt: r.revokedAt?.toISOString() ?? null,
    revocationReason: r.revocationReason,
    version: r.version,
  };
}
