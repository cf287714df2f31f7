/**
 * Expected failures are values, not exceptions: the UI shows them next to the field, the REST API maps
 * them to Cloudflare-style envelopes. Unexpected exceptions are logged and shown as a generic message.
 */
export type DomainErrorKind =
  | "validation"
  | "not_found"
  | "conflict"
  | "forbidden"
  | "unauthenticated"
  | "limit"
  | "stale"
  | "rate_limited"
  | "unavailable";

export interface DomainError {
  kind: DomainErrorKind;
  message: string;
  /** Field name → messages, for forms (e.g. `{ name: ["Name is required"] }`). */
  fieldErrors?: Record<string, string[]>;
  /** Extra machine-readable detail (e.g. the applications that still use a policy). */
  detail?: unknown;
}

export type Result<T> = { ok: true; value: T; warnings?: string[] } | { ok: false; error: DomainError };

export const ok = <T>(value: T, warnings?: string[]): Result<T> =>
  warnings && warnings.length ? { ok: true, value, warnings } : { ok: true, value };

export const fail = (
  kind: DomainErrorKind,
  message: string,
  fieldErrors?: Record<string, string[]>,
  detail?: unknown,
): { ok: false; error: DomainError } => ({ ok: false, error: { kind, message, fieldErrors, detail } });

/** Thrown inside a transaction to roll it back with an expected error. */
export class DomainFailure extends Error {
  constructor(public readonly error: DomainError) {
    super(error.message);
  }
}

export const READ_ONLY_MESSAGE = "Your account is read-only (viewer role). Ask an admin to make this change.";

/** zod issues → fieldErrors keyed by the first path segment (or "form"). */
export function zodFieldErrors(issues: { path: PropertyKey[]; message: string }[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of issues) {
    const key = issue.path.length ? String(issue.path[0]) : "form";
    (out[key] ??= []).push(issue.message);
  }
  return out;
}
