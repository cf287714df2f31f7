/**
 * Service tokens in the one decision: whether presented credentials authenticate, as data. The secret comparison
 * itself (SHA-256 and a constant-time compare) needs Node and stays with the caller (lib/gateway
 * service-token-auth); what a match means at a given instant — disabled, expired, a rotated-out secret past its
 * grace period — is decided here, so the gateway and the tester ("as if presented") say the same.
 *
 * Strict, as Cloudflare's current default: credentials that do not authenticate make the request
 * `unauthenticated` (401) once an application is found for it (`decide`), before any policy runs; valid ones put
 * the token's id into the request, where Service Token and Any Access Service Token rules read it.
 */

/** A stored service token as the decision needs it (plain data; never a secret or its hash). */
export interface ServiceTokenState {
  id: string;
  name: string;
  clientId: string;
  enabled: boolean;
  /** epoch ms; null: never expires */
  expiresAt: number | null;
  /** epoch ms until which the previous secret (before the last rotation) is still accepted; null: none */
  previousSecretExpiresAt: number | null;
}

/** Which of the token's secrets the presented one equals (decided by the caller, in constant time). */
export type SecretMatch = "current" | "previous" | "none";

export type ServiceTokenVerdict =
  | { ok: true; token: ServiceTokenState; via: "current" | "previous" }
  | {
      ok: false;
      token: ServiceTokenState | null;
      /** for the access log and the tester: exactly what was wrong */
      reason: string;
      /**
       * whether the presenter proved it holds a secret of this token (so telling it the token is disabled, expired
       * or rotated out leaks nothing): the gateway shows `reason` to such clients and a generic refusal otherwise
       */
      proven: boolean;
    };

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, "Z");

/** The verdict on presented credentials at `at` (epoch ms). `token` null: no token has that Client ID. */
export function serviceTokenVerdict(token: ServiceTokenState | null, match: SecretMatch, at: number): ServiceTokenVerdict {
  if (!token) return { ok: false, token: null, reason: "no service token has this Client ID", proven: false };
  const name = JSON.stringify(token.name);
  if (match === "none") return { ok: false, token, reason: `wrong Client Secret for service token ${name}`, proven: false };
  if (match === "previous" && (token.previousSecretExpiresAt === null || token.previousSecretExpiresAt <= at)) {
    const since = token.previousSecretExpiresAt === null ? "" : ` since ${iso(token.previousSecretExpiresAt)}`;
    return { ok: false, token, reason: `the Client Secret of service token ${name} was rotated and the previous one is no longer accepted${since}`, proven: true };
  }
  if (!token.enabled) return { ok: false, token, reason: `service token ${name} is disabled`, proven: true };
  if (token.expiresAt !== null && token.expiresAt <= at) return { ok: false, token, reason: `service token ${name} expired on ${iso(token.expiresAt)}`, proven: true };
  return { ok: true, token, via: match };
}

/** The request fields a verdict sets (`AccessRequest.serviceTokenId` or `credentialError`). */
export function serviceTokenRequest(v: ServiceTokenVerdict): { serviceTokenId: string } | { credentialError: string } {
  return v.ok ? { serviceTokenId: v.token.id } : { credentialError: v.reason };
}
