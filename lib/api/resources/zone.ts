/**
 * What the zone-scoped resources (`/zones/{zone_id}/…`) share: their path parameters, and the translation of the
 * domain's field names into Cloudflare's for the `source.pointer` of a 400.
 */
import type { DomainError, Result } from "../../domain/core/result";
import { zodFieldErrors } from "../../domain/core/result";
import { isUuid } from "../../domain/certificates";
import { API_CODES, ApiError, domainErrorToApi } from "../errors";

export type ZoneParams = { zone_id: string };

/** A path id that cannot be one (not a UUID) is bad input; a well-formed id that is not there is a 404. */
export function checkPathId(id: string, what: string): void {
  if (isUuid(id)) return;
  throw new ApiError(400, [{ code: API_CODES.invalidIdentifier, message: `Invalid ${what} identifier "${String(id).slice(0, 80)}": expected a UUID` }]);
}

/** Rename fieldErrors keys (the domain's `csrPem`) to the wire's (`csr`), so pointers name what was sent. */
export function renameFields(error: DomainError, names: Record<string, string>): DomainError {
  if (!error.fieldErrors) return error;
  const fieldErrors = Object.fromEntries(Object.entries(error.fieldErrors).map(([k, v]) => [names[k] ?? k, v]));
  return { ...error, fieldErrors };
}

/** Unwrap a Result whose validation errors are keyed by the domain's names. */
export function unwrapAs<T>(result: Result<T>, names: Record<string, string>): T {
  if (!result.ok) throw domainErrorToApi(renameFields(result.error, names));
  return result.value;
}

/** A zod failure of a request body as the 400 the API answers (one error per problem, with its pointer). */
export function bodyError(issues: { path: PropertyKey[]; message: string }[]): ApiError {
  return domainErrorToApi({ kind: "validation", message: "Check the request body.", fieldErrors: zodFieldErrors(issues) });
}
