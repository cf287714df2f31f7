/** Memoised per-certificate facts: fingerprints, issuer/child signature checks, self-signed. */
import { bytesEqual, hexColon } from "./der";
import { md5 } from "./md5";
import { verifySignature, type SignatureCheck } from "./signature";
import type { ParsedCertificate } from "./x509";

export interface Fingerprints {
  sha1: string;
  sha256: string;
  md5: string;
}

const fpCache = new WeakMap<ParsedCertificate, Promise<Fingerprints>>();

export function fingerprints(cert: ParsedCertificate): Promise<Fingerprints> {
  let p = fpCache.get(cert);
  if (!p) {
    const subtle = globalThis.crypto.subtle;
    p = Promise.all([subtle.digest("SHA-1", cert.der as BufferSource), subtle.digest("SHA-256", cert.der as BufferSource)]).then(
      ([s1, s256]) => ({
        sha1: hexColon(new Uint8Array(s1)),
        sha256: hexColon(new Uint8Array(s256)),
        md5: hexColon(md5(cert.der)),
      }),
    );
    fpCache.set(cert, p);
  }
  return p;
}

const sigCache = new WeakMap<ParsedCertificate, Map<Uint8Array, Promise<SignatureCheck>>>();

/** Does `issuer`'s key verify `child`'s signature? Memoised per (child, issuer key). */
export function checkSignedBy(child: ParsedCertificate, issuer: ParsedCertificate): Promise<SignatureCheck> {
  let m = sigCache.get(child);
  if (!m) {
    m = new Map();
    sigCache.set(child, m);
  }
  let p = m.get(issuer.publicKey.spki);
  if (!p) {
    // Outer and inner (tbs) signature algorithms must agree (RFC 5280 §4.1.1.2).
    p =
      child.signatureOid !== child.tbsSignatureOid
        ? Promise.resolve("invalid" as const)
        : verifySignature(child.tbs, child.signature, child.signatureOid, child.signatureParams, issuer.publicKey);
    m.set(issuer.publicKey.spki, p);
  }
  return p;
}

/** AKI/SKI agreement: null when one of them is absent. */
export function keyIdMatch(child: ParsedCertificate, issuer: ParsedCertificate): boolean | null {
  if (!child.authorityKeyId || !issuer.subjectKeyId) return null;
  return bytesEqual(child.authorityKeyId, issuer.subjectKeyId);
}

export function nameMatch(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return child.issuer.key === issuer.subject.key;
}

/**
 * Self-signed = subject equals issuer AND the signature verifies with its own key. When WebCrypto
 * cannot check the algorithm (MD5, SHA-224...), fall back to "self-issued and AKI absent or equal to SKI".
 */
export async function isSelfSigned(cert: ParsedCertificate): Promise<boolean> {
  if (!cert.selfIssued) return false;
  const r = await checkSignedBy(cert, cert);
  if (r === "unsupported") return keyIdMatch(cert, cert) !== false;
  return r === "valid";
}
