/** CRL details for the UI, and "which CA of this chain signed this CRL?". */
import { loadCrls, type RevokedEntry } from "./crl";
import { certLabel } from "./describe";
import { commonName } from "./names";
import { parseCertificates, type PkiInput } from "./path";
import { checkCrlSignature } from "./revocation";
import type { PkiIssue } from "./types";

export interface CrlInfo {
  issuer: string;
  issuerCN: string | null;
  thisUpdate: string;
  nextUpdate: string | null;
  revoked: RevokedEntry[];
  /** null when no issuer certificates were given or none matched by name. */
  signatureValid: boolean | null;
  /** Index (0-based) of the certificate in `issuers` that signed the CRL, or null. */
  issuerIndex: number | null;
  issues: PkiIssue[];
}

/** Parse the first CRL in `input`; when `issuers` (PEM chain) is given, find and verify its signer. */
export async function parseCrl(input: PkiInput, issuers?: PkiInput): Promise<CrlInfo> {
  const { crls, errors } = loadCrls(input);
  const crl = crls[0];
  if (!crl) throw new Error(errors[0] ?? "No CRL found.");
  const issues: PkiIssue[] = errors.map((message) => ({ severity: "error", code: "malformed_crl", message, certificateIndex: null }));
  let signatureValid: boolean | null = null;
  let issuerIndex: number | null = null;
  if (issuers !== undefined) {
    const { certs } = parseCertificates([issuers]);
    const byName = certs.map((c, i) => ({ c, i })).filter(({ c }) => c.subject.key === crl.issuer.key);
    for (const { c, i } of byName) {
      if ((await checkCrlSignature(crl, c)) === "valid") {
        signatureValid = true;
        issuerIndex = i;
        break;
      }
    }
    if (issuerIndex === null) {
      if (byName.length) signatureValid = false;
      issues.push({
        severity: "error",
        code: "crl_not_from_chain",
        message: byName.length
          ? `The CRL names ${certLabel(byName[0].c, byName[0].i)} as its issuer, but its signature does not verify with that certificate's key.`
          : `The CRL was issued by "${crl.issuer.text}", which is not a certificate of this chain.`,
        certificateIndex: byName[0]?.i ?? null,
      });
    } else if (certs[issuerIndex].keyUsage !== null && !(certs[issuerIndex].keyUsage! & (1 << 6))) {
      issues.push({
        severity: "error",
        code: "key_usage_no_crl_sign",
        message: `${certLabel(certs[issuerIndex], issuerIndex)} signed the CRL but its Key Usage does not include cRLSign.`,
        certificateIndex: issuerIndex,
      });
    }
  }
  if (crl.unhandledCritical.length)
    issues.push({ severity: "error", code: "unhandled_critical_crl_extension", message: `The CRL has unhandled critical extension(s) ${crl.unhandledCritical.join(", ")}.`, certificateIndex: null });
  return {
    issuer: crl.issuer.text,
    issuerCN: commonName(crl.issuer),
    thisUpdate: crl.thisUpdate.toISOString(),
    nextUpdate: crl.nextUpdate?.toISOString() ?? null,
    revoked: [...crl.revoked.values()],
    signatureValid,
    issuerIndex,
    issues,
  };
}

export interface CrlChainCheck {
  ok: boolean;
  issuerIndex: number | null;
  issuerCN: string | null;
  error: { code: "crl_not_from_chain" | "key_usage_no_crl_sign" | "malformed_crl"; message: string } | null;
}

/** Which CA of `chainPem` signed `crl`? Error `crl_not_from_chain` when none did. */
export async function verifyCrlAgainstChain(crl: PkiInput, chainPem: PkiInput): Promise<CrlChainCheck> {
  let info: CrlInfo;
  try {
    info = await parseCrl(crl, chainPem);
  } catch (e) {
    return { ok: false, issuerIndex: null, issuerCN: null, error: { code: "malformed_crl", message: (e as Error).message } };
  }
  const err = info.issues.find((i) => i.code === "crl_not_from_chain" || i.code === "key_usage_no_crl_sign");
  return {
    ok: info.issuerIndex !== null && !err,
    issuerIndex: info.issuerIndex,
    issuerCN: info.issuerIndex !== null ? info.issuerCN : null,
    error: err ? { code: err.code as "crl_not_from_chain" | "key_usage_no_crl_sign", message: err.message } : null,
  };
}
