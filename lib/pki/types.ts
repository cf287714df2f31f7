/** Public result types of lib/pki (plain JSON-serialisable data). */

export type Severity = "error" | "warning" | "info";
export type Verdict = "ok" | "warning" | "error";

export interface PkiIssue {
  severity: Severity;
  code: string;
  message: string;
  /** 0-based index into `certificates`, or null for input-level issues. */
  certificateIndex: number | null;
}

export interface CertificateSummary {
  index: number;
  subject: string;
  subjectCN: string | null;
  issuer: string;
  issuerCN: string | null;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  signatureAlgorithm: { oid: string; name: string; allowed: boolean };
  publicKey: { algorithm: string; size?: number; curve?: string; description: string };
  basicConstraints: { ca: boolean; pathLength: number | null; critical: boolean } | null;
  keyUsage: string[] | null;
  extendedKeyUsage: string[] | null;
  subjectKeyIdentifier: string | null;
  authorityKeyIdentifier: string | null;
  subjectAltNames: string[];
  sha1Fingerprint: string;
  sha256Fingerprint: string;
  md5Fingerprint: string;
  selfSigned: boolean;
  pem: string;
  verdict: Verdict;
}

export interface ChainLink {
  /** Index of the certificate whose signature is checked. */
  from: number;
  /** Index of its issuer (the certificate whose key verifies it). */
  to: number;
  nameMatch: boolean;
  /** null when either AKI or SKI is absent. */
  keyIdMatch: boolean | null;
  signatureValid: boolean;
  ok: boolean;
}

export interface InspectResult {
  certificates: CertificateSummary[];
  links: ChainLink[];
  issues: PkiIssue[];
  verdict: Verdict;
  /** Indices into `certificates` giving a valid order (children before issuers), or null when already fine. */
  reorder: number[] | null;
  normalizedPem: string;
  /** Earliest notAfter in the bundle (ISO), as Cloudflare's expires_on. */
  expiresOn: string | null;
  /** "MD5 Fingerprint=AA:BB:..." of the first certificate, as Cloudflare shows it. */
  fingerprint: string | null;
}

export function verdictOf(issues: { severity: Severity }[]): Verdict {
  if (issues.some((i) => i.severity === "error")) return "error";
  if (issues.some((i) => i.severity === "warning")) return "warning";
  return "ok";
}
