/**
 * A CA's list of client certificates (Mutual TLS → a CA's page → Client certificates seen): the leaves the gateway
 * has seen (client_certificates_seen, newest first) that this CA's certificates issued, each with whether it is
 * blocked, so an admin can lock one from there. Read-only; the newest `scan` certificates are looked at.
 */
import { desc } from "drizzle-orm";
import { blockedBy, compileBlockList, normalizeIssuer } from "../../access/blocked";
import { getDb } from "../../db/client";
import { clientCertificatesSeen } from "../../db/schema";
import { describeCertificate, parseCertificate } from "../../pki";
import { blockedCertificatesForDecision } from ".";

export interface ClientCertificateSeen {
  sha256: string;
  subject: string;
  serial_number: string;
  not_after: string;
  last_seen: string;
  blocked: boolean;
}

/** The client certificates seen whose issuer is one of `caSubjects` (a CA's chain), at most `limit`. */
export async function clientCertificatesSeenBy(caSubjects: readonly string[], limit = 50, scan = 2000): Promise<ClientCertificateSeen[]> {
  const issuers = new Set(caSubjects.map(normalizeIssuer));
  if (!issuers.size) return [];
  const db = await getDb();
  const [rows, blocks] = await Promise.all([
    db.select().from(clientCertificatesSeen).orderBy(desc(clientCertificatesSeen.lastSeen)).limit(scan),
    blockedCertificatesForDecision(),
  ]);
  const list = compileBlockList(blocks);
  const out: ClientCertificateSeen[] = [];
  for (const row of rows) {
    if (out.length >= limit) break;
    let s;
    try {
      s = await describeCertificate(parseCertificate(row.der), 0);
    } catch {
      continue; // not a certificate lib/pki reads: it cannot be one this CA issued either
    }
    if (!issuers.has(normalizeIssuer(s.issuer)) || s.basicConstraints?.ca) continue;
    const verdict = { presented: true, valid: true, commonName: s.subjectCN, serial: s.serialNumber, issuer: s.issuer, sha256: s.sha256Fingerprint, issuersPem: [] };
    out.push({ sha256: row.sha256, subject: s.subject, serial_number: s.serialNumber, not_after: s.notAfter, last_seen: row.lastSeen.toISOString(), blocked: !!blockedBy(list, verdict) });
  }
  return out;
}
