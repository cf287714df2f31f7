/**
 * When revocation information is unavailable: a CRL past its nextUpdate, or an OCSP responder that does not answer
 * (or answers "unknown"). Each hostname chooses (**When a CRL is out of date**): `block` (fail closed, the default)
 * or `allow` (fail open; the request is let through and the verdict carries an alert sentence the gateway logs and
 * the alert scheduler reports). The rule lives here once so the gateway, Test mTLS, the API and the CLI apply it
 * alike. OCSP answers are fetched outside lib/access (I/O); they come in as `OcspAnswer` data.
 */
import type { ValidationResult, ValidationStep, VerifyError } from "../pki";
import { verifyError } from "../pki/verify-errors";
import type { CertVerdict } from "./types";

export type StaleMode = "block" | "allow";

export interface RevocationSettings {
  /** what an out-of-date CRL or an unavailable OCSP answer does */
  staleMode: StaleMode;
  /** ask the client certificate's OCSP responder (from its AIA) */
  ocsp: boolean;
  /**
   * **Strict** path validation, like `openssl verify -x509_strict`: missing Authority/Subject Key Identifiers
   * (RFC 5280 §4.2.1.1-2) refuse the certificate (lib/pki CoreOptions). Kept with these settings because every door
   * already loads them for a hostname (default: off).
   */
  strict?: boolean;
}

export const DEFAULT_REVOCATION: RevocationSettings = Object.freeze({ staleMode: "block", ocsp: false });

/** The error an out-of-date CRL produces (lib/pki), which the `allow` mode lets through. */
export const STALE_CRL = "crl_has_expired";

/** The OCSP status of a leaf as the caller resolved it (lib/domain/ocsp). */
export interface OcspAnswer {
  status: "good" | "revoked" | "unknown" | "unavailable";
  /** where the answer came from, e.g. "http://127.0.0.1:8888 (cached until 2026-01-01T00:00:00Z)" */
  source: string;
  /** why it is unavailable, or the revocation time and reason */
  detail?: string;
}

/** The errors an out-of-date CRL leaves when the hostname allows it, and the alert sentence (null: nothing allowed). */
export function staleAllowed(errors: readonly VerifyError[], mode: StaleMode): { errors: readonly VerifyError[]; alert: string | null } {
  if (mode !== "allow" || !errors.some((e) => e.code === STALE_CRL)) return { errors, alert: null };
  const stale = errors.filter((e) => e.code === STALE_CRL);
  return { errors: errors.filter((e) => e.code !== STALE_CRL), alert: `Allowed with an out-of-date CRL (${stale.map((e) => e.detail).join(" ")})` };
}

/** A full validation with the `allow` mode applied: out-of-date CRL errors dropped and their steps marked allowed. */
export function applyStaleRule(r: ValidationResult, mode: StaleMode): { result: ValidationResult; alert: string | null } {
  const { errors, alert } = staleAllowed(r.errors, mode);
  if (!alert) return { result: r, alert: null };
  const steps = r.steps.map((s): ValidationStep =>
    s.id.startsWith("crl-time:") && !s.ok ? { ...s, ok: true, detail: `${s.detail} Out of date, allowed: this hostname is set to "Allow and alert" when a CRL is out of date.` } : s,
  );
  return { result: { ...r, errors: [...errors], steps, ok: errors.length === 0 }, alert };
}

const OCSP_LABEL = "Revocation (OCSP)";

/**
 * The verdict once the leaf's OCSP answer is known: revoked refuses; good keeps the verdict; unknown or no answer
 * follows the hostname's mode (block refuses, allow lets through with an alert). Only a valid verdict is changed.
 */
export function applyOcsp(verdict: CertVerdict, answer: OcspAnswer, mode: StaleMode): CertVerdict {
  if (!verdict.valid || answer.status === "good") return verdict;
  const invalid = (reason: string): CertVerdict => ({ ...verdict, valid: false, reason, issuersPem: [] });
  if (answer.status === "revoked") return invalid(`certificate revoked (OCSP, ${answer.source}${answer.detail ? `: ${answer.detail}` : ""})`);
  const why = answer.status === "unknown" ? `the OCSP responder ${answer.source} does not know the certificate` : `no OCSP answer from ${answer.source}${answer.detail ? `: ${answer.detail}` : ""}`;
  if (mode === "block") return invalid(`OCSP status unavailable: ${why}`);
  return { ...verdict, alert: `Allowed without an OCSP answer: ${why}` };
}

/** The validation error a refusing OCSP answer adds (depth 0, the leaf), or null when the answer refuses nothing. */
export function ocspError(answer: OcspAnswer, mode: StaleMode): VerifyError | null {
  if (answer.status === "good") return null;
  if (answer.status === "revoked") return verifyError("certificate_revoked", 0, `The OCSP responder ${answer.source} says the certificate is revoked${answer.detail ? ` (${answer.detail})` : ""}.`);
  if (mode === "allow") return null;
  const e = verifyError("unspecified", 0, `No usable OCSP answer from ${answer.source}${answer.detail ? `: ${answer.detail}` : ""}; the hostname blocks when revocation status is unavailable.`);
  return { ...e, message: answer.status === "unknown" ? "OCSP status unknown" : "OCSP status unavailable" };
}

/** The trace step of an OCSP check (Test mTLS shows it among the revocation steps). */
export function ocspStep(answer: OcspAnswer | null, mode: StaleMode, reason: string | null): ValidationStep {
  if (!answer) return { id: "revocation:ocsp", label: OCSP_LABEL, ok: true, detail: reason ?? "Not checked." };
  const where = `Source: ${answer.source}.`;
  if (answer.status === "good") return { id: "revocation:ocsp", label: OCSP_LABEL, ok: true, detail: `Good: the responder says the certificate is not revoked. ${where}` };
  if (answer.status === "revoked") return { id: "revocation:ocsp", label: OCSP_LABEL, ok: false, detail: `Revoked${answer.detail ? ` (${answer.detail})` : ""}. ${where}` };
  const what = answer.status === "unknown" ? "Unknown: the responder does not know this certificate." : `No answer${answer.detail ? `: ${answer.detail}` : ""}.`;
  return mode === "allow"
    ? { id: "revocation:ocsp", label: OCSP_LABEL, ok: true, detail: `${what} Allowed: this hostname is set to "Allow and alert". ${where}` }
    : { id: "revocation:ocsp", label: OCSP_LABEL, ok: false, detail: `${what} Blocked: this hostname is set to "Block". ${where}` };
}
