/** Human/UI summary of one parsed certificate. */
import { hexColon } from "./der";
import { fingerprints, isSelfSigned } from "./links";
import { commonName, generalNameText } from "./names";
import { CURVES, EKU_NAMES, KEY_USAGE_NAMES, signatureAlgorithmInfo } from "./oids";
import { toPem } from "./pem";
import type { CertificateSummary, Verdict } from "./types";
import type { ParsedCertificate } from "./x509";

export function keyUsageNames(mask: number | null): string[] | null {
  if (mask === null) return null;
  return KEY_USAGE_NAMES.filter((_, bit) => mask & (1 << bit));
}

export function ekuNames(oids: string[] | null): string[] | null {
  return oids ? oids.map((o) => EKU_NAMES[o] ?? o) : null;
}

export function describePublicKey(cert: ParsedCertificate): CertificateSummary["publicKey"] {
  const pk = cert.publicKey;
  if (pk.algorithm === "EC") {
    const curve = pk.curveOid ? (CURVES[pk.curveOid]?.name ?? pk.curveOid) : "unknown curve";
    return { algorithm: "EC", curve, ...(pk.size ? { size: pk.size } : {}), description: `EC ${curve}` };
  }
  if (pk.algorithm === "RSA" || pk.algorithm === "RSA-PSS" || pk.algorithm === "DSA")
    return {
      algorithm: pk.algorithm,
      ...(pk.size ? { size: pk.size } : {}),
      description: pk.size ? `${pk.algorithm} ${pk.size} bits` : pk.algorithm,
    };
  return { algorithm: pk.algorithm, description: pk.algorithm };
}

/** "Certificate #2 (CN=Example Root)" — the way every message names a certificate. */
export function certLabel(cert: ParsedCertificate, index: number): string {
  const cn = commonName(cert.subject);
  const who = cn !== null ? `CN=${cn}` : cert.subject.text || "empty subject";
  return `Certificate #${index + 1} (${who})`;
}

export async function describeCertificate(
  cert: ParsedCertificate,
  index: number,
  verdict: Verdict = "ok",
): Promise<CertificateSummary> {
  const [fp, selfSigned] = await Promise.all([fingerprints(cert), isSelfSigned(cert)]);
  const sig = signatureAlgorithmInfo(cert.signatureOid);
  return {
    index,
    subject: cert.subject.text,
    subjectCN: commonName(cert.subject),
    issuer: cert.issuer.text,
    issuerCN: commonName(cert.issuer),
    serialNumber: cert.serialHex,
    notBefore: cert.notBefore.toISOString(),
    notAfter: cert.notAfter.toISOString(),
    signatureAlgorithm: { oid: cert.signatureOid, name: sig.name, allowed: sig.allowed },
    publicKey: describePublicKey(cert),
    basicConstraints: cert.basicConstraints ? { ...cert.basicConstraints } : null,
    keyUsage: keyUsageNames(cert.keyUsage),
    extendedKeyUsage: ekuNames(cert.extKeyUsage),
    subjectKeyIdentifier: cert.subjectKeyId ? hexColon(cert.subjectKeyId) : null,
    authorityKeyIdentifier: cert.authorityKeyId ? hexColon(cert.authorityKeyId) : null,
    subjectAltNames: (cert.subjectAltNames ?? []).map(generalNameText),
    sha1Fingerprint: fp.sha1,
    sha256Fingerprint: fp.sha256,
    md5Fingerprint: fp.md5,
    selfSigned,
    pem: toPem(cert.der),
    verdict,
  };
}
