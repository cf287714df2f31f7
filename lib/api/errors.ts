import type { DomainError } from "../domain/core/result";
import type { ApiMessage } from "./envelope";

/**
 * Error codes we answer with. Where Cloudflare has a well-known code for the same situation we use it
 * (6007, 7000, 7003, 9109, 10000, 971); the Access-specific `access.api.error.*` messages use 121xx.
 */
export const API_CODES = {
  invalidRequest: 12130,
  notFound: 12131,
  conflict: 12133,
  limitExceeded: 12134,
  malformedJson: 6007,
  bodyTooLarge: 6008,
  noRoute: 7000,
  methodNotAllowed: 7001,
  invalidIdentifier: 7003,
  forbidden: 9109,
  authentication: 10000,
  internal: 10001,
  unavailable: 10013,
  /** 503 whose change may or may not have been saved (connection lost during COMMIT): check, don't re-send blindly. */
  outcomeUnknown: 10014,
  rateLimited: 971,
} as const;

export const INVALID_REQUEST = "access.api.error.invalid_request";

/** An expected failure raised inside a handler; the wrapper turns it into an envelope. */
export class ApiError extends Error {
  constructor(
    public readonly status: number,
    public readonly errors: ApiMessage[],
    public readonly headers?: Record<string, string>,
  ) {
    super(errors.map((e) => e.message).join("; "));
  }
}

export const invalidRequest = (reasons: string[] | string, pointer?: string): ApiError =>
  new ApiError(
    400,
    (Array.isArray(reasons) ? reasons : [reasons]).map((r) => ({
      code: API_CODES.invalidRequest,
      message: `${INVALID_REQUEST}: ${r}`,
      ...(pointer ? { source: { pointer } } : {}),
    })),
  );

export const notFound = (what: string): ApiError =>
  new ApiError(404, [{ code: API_CODES.notFound, message: `access.api.error.not_found: ${what}` }]);

/** One error per problem, each pointing at the JSON field it is about. */
export function validationMessages(error: DomainError): ApiMessage[] {
  const out: ApiMessage[] = [];
  for (const [field, messages] of Object.entries(error.fieldErrors ?? {})) {
    for (const m of messages) {
      out.push({
        code: API_CODES.invalidRequest,
        message: `${INVALID_REQUEST}: ${m}`,
        ...(field === "form" ? {} : { source: { pointer: `/${field.replace(/\./g, "/")}` } }),
      });
    }
  }
  if (!out.length) out.push({ code: API_CODES.invalidRequest, message: `${INVALID_REQUEST}: ${error.message}` });
  return out;
}

/** Map a domain failure to HTTP status + envelope errors (+ headers). */
export function domainErrorToApi(error: DomainError): ApiError {
  switch (error.kind) {
    case "validation":
      return new ApiError(400, validationMessages(error));
    case "not_found":
      return notFound(error.message);
    case "conflict":
    case "stale":
      return new ApiError(409, [{ code: API_CODES.conflict, message: `access.api.error.conflict: ${error.message}` }], {
        "x-should-retry": "false",
      });
    case "limit":
      return new ApiError(400, [{ code: API_CODES.limitExceeded, message: `access.api.error.limit_exceeded: ${error.message}` }]);
    case "forbidden":
      return new ApiError(403, [{ code: API_CODES.forbidden, message: `Unauthorized to access requested resource: ${error.message}` }]);
    case "unauthenticated":
      return new ApiError(401, [{ code: API_CODES.authentication, message: `Authentication error: ${error.message}` }]);
    case "rate_limited":
      return new ApiError(429, [{ code: API_CODES.rateLimited, message: error.message }], { "retry-after": "60" });
    case "unavailable":
      if ((error.detail as { outcome?: unknown } | undefined)?.outcome === "unknown") {
        return new ApiError(503, [{ code: API_CODES.outcomeUnknown, message: error.message }], { "retry-after": "5", "x-should-retry": "false" });
      }
      return unavailable(error.message);
  }
}

export const unavailable = (message = "The database is unavailable. Try again in a moment."): ApiError =>
  new ApiError(503, [{ code: API_CODES.unavailable, message }], { "retry-after": "5" });
