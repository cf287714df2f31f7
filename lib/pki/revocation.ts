/** CRL selection and checks for one certificate of a validated path (RFC 5280 §6.3). */
import type { ParsedCrl } from "./crl";
import { bytesEqual } from "./der";
import { verifySignature, type SignatureCheck } from "./signature";
import type { TrustStore } from "./path";
import type { VerifyErrorCode } from "./verify-errors";
import type { ParsedCertificate } from "./x509";
import { KU } from "./oids";

const crlSigCache = new WeakMap<ParsedCrl, Map<Uint8Array, Promise<SignatureCheck>>>();

export function checkCrlSignature(crl: ParsedCrl, issuer: ParsedCertificate): Promise<SignatureCheck> {
  let m = crlSigCache.get(crl);
  if (!m) {
    m = new Map();
    crlSigCache.set(crl, m);
  }
  let p = m.get(issuer.publicKey.spki);
  if (!p) {
    p =
      crl.signatureOid !== crl.tbsSignatureOid
        ? Promise.resolve("invalid" as const)
        : verifySignature(crl.tbs, crl.signature, crl.signatureOid, crl.signatureParams, issuer.publicKey);
    m.set(issuer.publicKey.spki, p);
  }
  return p;
}

export interface RevocationOutcome {
  crl: ParsedCrl | null;
  /** Time-independent problems, in OpenSSL's order. */
  errors: { code: VerifyErrorCode; detail: string }[];
  /** The CRL's validity window (checked against `at` later). */
  window: { thisUpdate: number; nextUpdate: number | null } | null;
  revokedOn: string | null;
}

function inScope(crl: ParsedCrl, cert: ParsedCertificate): boolean {
  if (!crl.scope) return true;
  const isCa = cert.basicConstraints?.ca === true;
  if (crl.scope.onlyUser && isCa) return false;
  if (crl.scope.onlyCA && !isCa) return false;
  return !crl.scope.unsupported;
}

/** Pick the best CRL from `issuer` for `cert` and check it (signature, issuer key usage, extensions, serial). */
export async function checkRevocation(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  store: TrustStore,
): Promise<RevocationOutcome> {
  const cands = (store.crlsByIssuer.get(cert.issuer.key) ?? []).filter(
    (crl) =>
      inScope(crl, cert) &&
      !(crl.authorityKeyId && issuer.subjectKeyId && !bytesEqual(crl.authorityKeyId, issuer.subjectKeyId)),
  );
  if (cands.length === 0) return { crl: null, errors: [{ code: "unable_to_get_crl", detail: "" }], window: null, revokedOn: null };
  const sigs = await Promise.all(cands.map((c) => checkCrlSignature(c, issuer)));
  // Prefer a correctly signed CRL without unhandled critical extensions, newest first.
  const ranked = cands
    .map((crl, i) => ({ crl, sig: sigs[i] }))
    .sort(
      (a, b) =>
        Number(b.sig === "valid") - Number(a.sig === "valid") ||
        Number(a.crl.unhandledCritical.length > 0) - Number(b.crl.unhandledCritical.length > 0) ||
        b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime(),
    );
  const { crl, sig } = ranked[0];
  const errors: RevocationOutcome["errors"] = [];
  if (issuer.keyUsage !== null && !(issuer.keyUsage & KU.cRLSign))
    errors.push({ code: "key_usage_no_crl_sign", detail: "the CRL issuer's Key Usage does not include cRLSign" });
  if (sig !== "valid")
    errors.push({ code: "crl_signature_failure", detail: "the CRL signature does not verify with the issuer's public key" });
  if (crl.unhandledCritical.length)
    errors.push({
      code: "unhandled_critical_crl_extension",
      detail: `the CRL has unhandled critical extension(s) ${crl.unhandledCritical.join(", ")}`,
    });
  const entry = crl.revoked.get(cert.serialHex);
  const revoked = entry && entry.reason !== "removeFromCRL" ? entry : null;
  if (revoked)
    errors.push({
      code: "certificate_revoked",
      detail: `serial ${cert.serialHex} was revoked on ${revoked.revocationDate}${revoked.reason ? ` (${revoked.reason})` : ""}`,
    });
  return {
    crl,
    errors,
    window: { thisUpdate: crl.thisUpdate.getTime(), nextUpdate: crl.nextUpdate?.getTime() ?? null },
    revokedOn: revoked?.revocationDate ?? null,
  };
}
