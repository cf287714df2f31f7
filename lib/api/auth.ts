import { clientIp } from "../auth/request-ip";
import { authenticateApiToken, type AuthenticatedToken } from "../domain/api-tokens";
import { API_CODES, ApiError, domainErrorToApi } from "./errors";

/** What the request presented, before any database lookup. */
export type Credentials =
  | { kind: "token"; secret: string; email?: string }
  | { kind: "none" }
  | { kind: "malformed"; reason: string };

/**
 * Cloudflare's schemes: `Authorization: Bearer <token>`, `X-Auth-Email` + `X-Auth-Key` (here the key is
 * an API token of that user), or `X-Auth-User-Service-Key` (treated as a token).
 */
export function parseCredentials(headers: Headers): Credentials {
  const authorization = headers.get("authorization")?.trim();
  if (authorization) {
    const m = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!m) return { kind: "malformed", reason: "Authorization must be \"Bearer <API token>\"" };
    return { kind: "token", secret: m[1] };
  }
  const email = headers.get("x-auth-email")?.trim();
  const key = headers.get("x-auth-key")?.trim();
  if (email || key) {
    if (!email || !key) return { kind: "malformed", reason: "X-Auth-Email and X-Auth-Key must be sent together" };
    return { kind: "token", secret: key, email };
  }
  const serviceKey = headers.get("x-auth-user-service-key")?.trim();
  if (serviceKey) return { kind: "token", secret: serviceKey };
  return { kind: "none" };
}

const authError = (message: string) => new ApiError(401, [{ code: API_CODES.authentication, message: `Authentication error: ${message}` }]);

export async function authenticateRequest(request: Request): Promise<AuthenticatedToken> {
  const creds = parseCredentials(request.headers);
  if (creds.kind === "none") throw authError("Missing Authorization header; send \"Authorization: Bearer <API token>\"");
  if (creds.kind === "malformed") throw authError(creds.reason);
  const result = await authenticateApiToken(creds.secret, { email: creds.email, ip: clientIp(request.headers) });
  if (!result.ok) throw domainErrorToApi(result.error);
  return result.value;
}
