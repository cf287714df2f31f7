import { getDb } from "../db/client";
import { getSetting } from "../db/settings";
import { canWrite, type Actor } from "../domain/core/actor";
import { isUnavailable } from "../domain/core/mutate";
import type { Result } from "../domain/core/result";
import type { AuthenticatedToken } from "../domain/api-tokens";
import { authenticateRequest } from "./auth";
import { failure, success, type ResultInfo } from "./envelope";
import { API_CODES, ApiError, domainErrorToApi, unavailable } from "./errors";
import { apiRateLimiter } from "./rate-limit";

export type RouteContext<P> = { params: Promise<P> };
export type RouteHandler<P = Record<string, string>> = (request: Request, context: RouteContext<P>) => Promise<Response>;

export interface ApiContext<P> {
  request: Request;
  url: URL;
  params: P;
  actor: Actor;
  auth: AuthenticatedToken;
}

const DB_TIMEOUT_MS = 8000;

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    p,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(unavailable("The database did not answer in time. Try again in a moment.")), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

const g = globalThis as { __portcullisInstanceIds?: Map<string, string> };

/** The instance's account id or its one zone's id (32 hex each); immutable once created, so cached per process. */
async function instanceId(key: "account_id" | "zone_id"): Promise<string> {
  const cache = (g.__portcullisInstanceIds ??= new Map());
  let id = cache.get(key);
  if (!id) {
    id = await getSetting<string>(await getDb(), key);
    if (!id) throw unavailable("The instance is still starting. Try again in a moment.");
    cache.set(key, id);
  }
  return id;
}

export const instanceAccountId = () => instanceId("account_id");
export const instanceZoneId = () => instanceId("zone_id");

const noSuchObject = (status: number, request: Request) =>
  new ApiError(status, [
    { code: API_CODES.invalidIdentifier, message: `Could not route to ${new URL(request.url).pathname}, perhaps your object identifier is invalid?` },
  ]);

/** The path's account or zone must be this instance's: a malformed id is a 400, another installation's a 404. */
async function checkScope(request: Request, params: Record<string, string>, key: "account_id" | "zone_id"): Promise<void> {
  if (!(key in params)) return;
  if (key === "zone_id" && !/^[0-9a-f]{32}$/.test(params[key])) throw noSuchObject(400, request);
  if (params[key] !== (await withTimeout(instanceId(key), DB_TIMEOUT_MS))) throw noSuchObject(404, request);
}

/** Convert anything thrown into an envelope: expected errors keep their status; the rest never leak a stack. */
export function errorToResponse(err: unknown): Response {
  if (err instanceof ApiError) return failure(err.status, err.errors, err.headers);
  if (isUnavailable(err)) {
    const e = unavailable();
    return failure(e.status, e.errors, e.headers);
  }
  console.error("[api] unexpected error:", err);
  return failure(500, [{ code: API_CODES.internal, message: "Internal server error. Nothing was changed; try again." }]);
}

/**
 * The one wrapper every authenticated route uses: authenticate (token) → rate limit → account / zone check →
 * role/permission for writes → handler. The domain re-checks permissions; this only answers early.
 */
export function apiRoute<P extends Record<string, string>>(
  opts: { write?: boolean; account?: boolean },
  fn: (ctx: ApiContext<P>) => Promise<Response>,
): RouteHandler<P> {
  return async (request, context) => {
    try {
      const params = (await context.params) ?? ({} as P);
      const auth = await withTimeout(authenticateRequest(request), DB_TIMEOUT_MS);
      const decision = await withTimeout(apiRateLimiter().hit(auth.actor.id ?? "anonymous"), DB_TIMEOUT_MS);
      if (!decision.allowed) {
        throw new ApiError(
          429,
          [{ code: API_CODES.rateLimited, message: `Rate limited: at most ${decision.limit} requests per token in the window; retry in ${decision.retryAfter} s` }],
          { "retry-after": String(decision.retryAfter), "x-ratelimit-limit": String(decision.limit), "x-ratelimit-remaining": "0" },
        );
      }
      if (opts.account !== false) {
        await checkScope(request, params, "account_id");
        await checkScope(request, params, "zone_id");
      }
      if (opts.write && !canWrite(auth.actor)) {
        const why = auth.actor.permission === "read" ? "this API token has Read permission only" : "the token's owner has the viewer role";
        throw new ApiError(403, [{ code: API_CODES.forbidden, message: `Unauthorized to access requested resource: ${why}` }]);
      }
      return await fn({ request, url: new URL(request.url), params, actor: auth.actor, auth });
    } catch (err) {
      return errorToResponse(err);
    }
  };
}

/** Unwrap a domain Result or throw the matching API error. */
export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw domainErrorToApi(result.error);
  return result.value;
}

export function ok<T>(result: Result<T>, status = 200): Response {
  return success(unwrap(result), { status });
}

export function list(items: unknown[], resultInfo: ResultInfo): Response {
  return success(items, { resultInfo });
}

export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

export function methodNotAllowed(allowed: string[], pathname: string): Response {
  return failure(
    405,
    [{ code: API_CODES.methodNotAllowed, message: `Method not allowed for ${pathname}; use ${allowed.join(", ")}` }],
    { allow: allowed.join(", ") },
  );
}

/** Fill every method a route does not implement with a JSON 405 (Next's default 405 has no body). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function routeMethods<P>(handlers: Partial<Record<Method, RouteHandler<any>>>): Record<Method, RouteHandler<P>> {
  const allowed = METHODS.filter((m) => handlers[m]);
  const out = {} as Record<Method, RouteHandler<P>>;
  for (const m of METHODS) {
    out[m] = handlers[m] ?? (async (request: Request) => methodNotAllowed(allowed, new URL(request.url).pathname));
  }
  return out;
}
