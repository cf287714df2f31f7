/** Per-certificate upload checks (design.md §3.2 and §3.4). */
import { certLabel } from "./describe";
import { EKU, SUPPORTED_CRITICAL_EXTENSIONS, KU, signatureAlgorithmInfo } from "./oids";
import { keyIdentifierProblems, structureProblems } from "./structure";
import type { PkiIssue } from "./types";
import type { ParsedCertificate } from "./x509";

export const EXPIRY_WARNING_DAYS = 30;
const DAY = 86_400_000;

/** An end-entity certificate that looks like a TLS server certificate (serverAuth EKU or DNS/IP SANs). */
export function looksLikeServerCertificate(cert: ParsedCertificate): boolean {
  if (cert.extKeyUsage?.includes(EKU.serverAuth)) return true;
  return (cert.subjectAltNames ?? []).some((n) => n.type === "dns" || n.type === "ip");
}

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function checkCertificate(cert: ParsedCertificate, index: number, now: Date): PkiIssue[] {
  const issues: PkiIssue[] = [];
  const label = certLabel(cert, index);
  const add = (severity: PkiIssue["severity"], code: string, message: string) =>
    issues.push({ severity, code, message, certificateIndex: index });

  const bc = cert.basicConstraints;
  const isCa = bc?.ca === true;
  if (!isCa && looksLikeServerCertificate(cert)) {
    add(
      "error",
      "server_certificate",
      `${label} is a TLS server certificate (end-entity, not a CA). Upload only the CA chain that issues your client certificates; do not include SSL/TLS server certificates.`,
    );
  } else if (bc === null) {
    add(
      "error",
      "no_basic_constraints",
      `${label} has no Basic Constraints extension, so it cannot act as a CA. CA certificates must have Basic Constraints CA:TRUE.`,
    );
  } else if (!bc.ca) {
    add(
      "error",
      "not_ca",
      `${label} is a leaf (end-entity) certificate: its Basic Constraints say CA:FALSE. Upload the CA that issued it instead.`,
    );
  } else if (!bc.critical) {
    add("info", "basic_constraints_not_critical", `${label}: Basic Constraints should be marked critical in a CA certificate (RFC 5280 §4.2.1.9).`);
  }

  if (cert.keyUsage !== null && !(cert.keyUsage & KU.keyCertSign)) {
    add(
      "error",
      "key_usage_missing_keycertsign",
      `${label} has a Key Usage extension without keyCertSign, so it may not sign certificates.`,
    );
  }

  const sig = signatureAlgorithmInfo(cert.signatureOid);
  if (!sig.allowed) {
    add(
      "error",
      "signature_algorithm_not_allowed",
      `${label} is signed with ${sig.name}, which is not allowed. Allowed: SHA-1/256/384/512 with RSA (PKCS#1 v1.5) and ECDSA with SHA-1/256/384/512.`,
    );
  }
  if (cert.signatureOid !== cert.tbsSignatureOid) {
    add(
      "error",
      "signature_algorithm_mismatch",
      `${label}: the signature algorithm inside the certificate does not match the outer one.`,
    );
  }

  for (const ext of cert.extensions) {
    if (ext.critical && !SUPPORTED_CRITICAL_EXTENSIONS.has(ext.oid) && ext.oid !== "2.5.29.14" && ext.oid !== "2.5.29.35") {
      add("error", "unhandled_critical_extension", `${label} has an unknown critical extension ${ext.oid}; clients would reject it.`);
    }
  }

  // Refused in a path, except in its trust anchor (./validate): so an error for an intermediate, a warning for a root.
  for (const p of structureProblems(cert, label)) if (p.code !== "ku_key_cert_sign_invalid_for_non_ca") add(cert.selfIssued ? "warning" : "error", p.code, p.detail);
  // RFC 5280 requires key identifiers of conforming CAs; clients may still build the chain by name, so only a warning
  // here (an error at the gateway under the hostname's Strict option).
  for (const p of keyIdentifierProblems(cert, label, cert.selfIssued)) add("warning", p.code, p.detail);

  const t = now.getTime();
  if (t > cert.notAfter.getTime()) {
    add("error", "expired", `${label} expired on ${isoDay(cert.notAfter)}.`);
  } else if (t < cert.notBefore.getTime()) {
    add("warning", "not_yet_valid", `${label} is not valid yet: it becomes valid on ${cert.notBefore.toISOString()}.`);
  } else if (cert.notAfter.getTime() - t <= EXPIRY_WARNING_DAYS * DAY) {
    const days = Math.max(0, Math.floor((cert.notAfter.getTime() - t) / DAY));
    add("warning", "expires_soon", `${label} expires in ${days} day${days === 1 ? "" : "s"} (${isoDay(cert.notAfter)}).`);
  }
  return issues;
}
