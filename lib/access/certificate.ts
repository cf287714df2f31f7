/**
 * The certificate half of the decision: a client chain validated against one hostname's trust store (lib/pki),
 * turned into the facts the policies and the origin see. The revocation rule lives here once: each mTLS
 * certificate holds at most one CRL, so a CA without a stored CRL is not checked for revocation (its
 * "unable to get certificate CRL" is not an error), otherwise uploading the intermediate's CRL would refuse everyone.
 */
import type { ValidationResult, ValidationStep, Validator, VerifyError } from "../pki";
import type { ValidationCheck } from "../pki/validator";
import { staleAllowed, type StaleMode } from "./freshness";
import type { CertVerdict, HostSnapshot } from "./types";

/** The error a CA without a stored CRL produces, which is not one (see the module comment). */
export const NO_STORED_CRL = "unable_to_get_crl";

/** The errors that count: every error except a missing CRL. */
export function effectiveErrors(errors: readonly VerifyError[]): readonly VerifyError[] {
  for (let i = 0; i < errors.length; i++) if (errors[i].code === NO_STORED_CRL) return errors.filter((e) => e.code !== NO_STORED_CRL);
  return errors;
}

/** A full validation with the missing-CRL rule applied: the error dropped and its revocation step "not checked". */
export function applyCrlRule(r: ValidationResult): ValidationResult {
  const missing = new Set(r.errors.filter((e) => e.code === NO_STORED_CRL).map((e) => e.depth));
  if (!missing.size) return r;
  const errors = r.errors.filter((e) => e.code !== NO_STORED_CRL);
  const steps = r.steps.map((s): ValidationStep => {
    const m = /^revocation:(\d+)$/.exec(s.id);
    if (!m || !missing.has(Number(m[1])) || s.detail !== NO_STORED_CRL) return s;
    const d = Number(m[1]);
    const issuer = r.path[d + 1]?.subject ?? r.path[d]?.issuer ?? "its issuer";
    return { ...s, ok: true, detail: `Not checked: no CRL from ${issuer} is stored.` };
  });
  return { ...r, errors, steps, ok: errors.length === 0 };
}

export const NO_CERTIFICATE: CertVerdict = Object.freeze({ presented: false, valid: false, commonName: null, serial: null, sha256: null, issuersPem: Object.freeze([]) as readonly string[] });

/** A presented chain on a hostname without a trust store: not validated (certificate rules cannot match). */
export function unassociatedVerdict(hostname: string, commonName: string | null, serial: string | null): CertVerdict {
  return { presented: true, valid: false, commonName, reason: `${hostname} is not an associated hostname of any mTLS certificate`, serial, sha256: null, issuersPem: [] };
}

/**
 * The verdict of a memoised check, by the identity of its core and of its errors array (the same array on every
 * call while all time checks pass; a fresh one otherwise), so the cached path allocates nothing.
 */
const verdicts = { block: new WeakMap<ValidationCheck["core"], { errors: ValidationCheck["errors"]; verdict: CertVerdict }>(), allow: new WeakMap<ValidationCheck["core"], { errors: ValidationCheck["errors"]; verdict: CertVerdict }>() };

/** `mode`: the hostname's choice for an out-of-date CRL (./freshness); "allow" lets it through with an alert. */
export function verdictOfCheck(r: ValidationCheck, mode: StaleMode = "block"): CertVerdict {
  const memo = verdicts[mode];
  const hit = memo.get(r.core);
  if (hit && hit.errors === r.errors) return hit.verdict;
  const { errors, alert } = staleAllowed(effectiveErrors(r.errors), mode);
  const valid = errors.length === 0;
  const leaf = r.core.leaf;
  const verdict: CertVerdict = Object.freeze({
    presented: true,
    valid,
    commonName: leaf?.subjectCN ?? null,
    ...(valid ? {} : { reason: errors[0].message }),
    serial: leaf?.serialNumber ?? null,
    issuer: leaf?.issuer ?? null,
    sha256: leaf?.sha256Fingerprint ?? null,
    issuersPem: Object.freeze(valid ? r.core.path.slice(1).map((s) => s.pem) : []),
    ...(valid && alert ? { alert } : {}),
  });
  memo.set(r.core, { errors: r.errors, verdict });
  return verdict;
}

/** The verdict of a full validation (already through `applyCrlRule`; `alert` from ./freshness `applyStaleRule`). */
export function verdictOfResult(r: ValidationResult, alert: string | null = null): CertVerdict {
  const leaf = r.leaf;
  return {
    presented: true,
    valid: r.ok,
    commonName: leaf?.subjectCN ?? null,
    ...(r.ok ? {} : { reason: r.errors[0]?.message ?? "it does not validate" }),
    serial: leaf?.serialNumber ?? null,
    issuer: leaf?.issuer ?? null,
    sha256: leaf?.sha256Fingerprint ?? null,
    issuersPem: r.ok ? r.path.slice(1).map((s) => s.pem) : [],
    ...(r.ok && alert ? { alert } : {}),
  };
}

/**
 * Validates the chain as received (leaf first, then what the client sent) against the hostname's trust store at
 * `at`, through the validator's memo (`cacheKey`: an identifier of exactly these bytes, e.g. their fingerprints).
 */
export async function verifyChain(host: Pick<HostSnapshot, "hostname" | "validator" | "revocation">, leaf: Uint8Array, untrusted: Uint8Array[], at: Date, cacheKey?: string): Promise<CertVerdict> {
  const v: Validator | null = host.validator;
  if (!v) return unassociatedVerdict(host.hostname, null, null);
  return verdictOfCheck(await v.check(leaf, { untrusted, at, cacheKey }), host.revocation?.staleMode);
}
