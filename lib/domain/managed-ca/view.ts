/** The managed CA as the console and the API see it (never its key), and where its CRL is published. */
import os from "node:os";
import { env } from "../../env.mjs";
import type { ChainMemberSummary } from "../certificates/queries";

/** Path of the published CRL on the web app and on the gateway's port: `${CRL_PATH}/<ca id>.crl` (DER) or `.pem`. */
export const CRL_PATH = "/cdn-cgi/pki/crl";

export function crlBaseUrl(): string {
  const e = env();
  return (e.PORTCULLIS_CRL_BASE_URL ?? e.PORTCULLIS_URL ?? e.NEXTAUTH_URL ?? `http://localhost:${e.PORT ?? 3000}`).replace(/\/+$/, "");
}

export const crlUrls = (caId: string) => ({ der: `${crlBaseUrl()}${CRL_PATH}/${caId}.crl`, pem: `${crlBaseUrl()}${CRL_PATH}/${caId}.pem` });

/** The installation's name for the CA's subject: the console's host name, else the machine's. */
export function installationName(): string {
  const url = env().PORTCULLIS_URL ?? env().NEXTAUTH_URL;
  if (url) {
    try {
      return new URL(url).hostname;
    } catch {
      /* validated by lib/env.mjs; fall through */
    }
  }
  return os.hostname() || "portcullis";
}

export interface ManagedCaView {
  id: string;
  /** The mTLS certificate name (the Mutual TLS page's row). */
  name: string;
  keyType: string;
  subject: string;
  commonName: string;
  serialNumber: string;
  fingerprintSha256: string;
  issuedOn: string;
  expiresOn: string;
  /** The CA new certificates are issued by (the newest one not retired). */
  current: boolean;
  retiredAt: string | null;
  associatedHostnames: string[];
  certificatePem: string;
  crl: { number: number; thisUpdate: string | null; nextUpdate: string | null; revokedCount: number; url: string; pemUrl: string };
  issuedCount: number;
  activeCount: number;
}

export interface ManagedCaRowParts {
  id: string;
  name: string;
  certificatePem: string;
  chain: unknown;
  crl: unknown;
  keyType: string;
  crlNumber: number;
  retiredAt: Date | null;
}

export function toManagedCaView(r: ManagedCaRowParts, current: boolean, hostnames: string[], counts: { issued: number; active: number }): ManagedCaView {
  const c = (r.chain as ChainMemberSummary[])[0];
  const crl = r.crl as { thisUpdate?: string; nextUpdate?: string | null; revoked_count?: number } | null;
  const urls = crlUrls(r.id);
  return {
    id: r.id,
    name: r.name,
    keyType: r.keyType,
    subject: c?.subject ?? "",
    commonName: c?.subjectCN ?? "",
    serialNumber: c?.serialNumber ?? "",
    fingerprintSha256: c?.sha256Fingerprint ?? "",
    issuedOn: c?.notBefore ?? "",
    expiresOn: c?.notAfter ?? "",
    current,
    retiredAt: r.retiredAt?.toISOString() ?? null,
    associatedHostnames: hostnames,
    certificatePem: r.certificatePem,
    crl: { number: r.crlNumber, thisUpdate: crl?.thisUpdate ?? null, nextUpdate: crl?.nextUpdate ?? null, revokedCount: crl?.revoked_count ?? 0, url: urls.der, pemUrl: urls.pem },
    issuedCount: counts.issued,
    activeCount: counts.active,
  };
}

/** `<uuid>.crl` (DER) or `<uuid>.pem` → the CA id and format; null for anything else. */
export function parseCrlFileName(file: string): { id: string; format: "der" | "pem" } | null {
  const m = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(crl|pem)$/i.exec(file);
  return m ? { id: m[1].toLowerCase(), format: m[2].toLowerCase() === "crl" ? "der" : "pem" } : null;
}
