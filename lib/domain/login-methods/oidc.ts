/**
 * OpenID Connect with openid-client (a certified relying-party library; no protocol code of our own): discovery of
 * an issuer for the console's **Test** button and for the gateway's sign-in flow (lib/gateway/identity), and the
 * sentences an admin sees when discovery fails — unreachable, not an OpenID Connect issuer, a TLS error.
 *
 * Requests go through undici's `fetch` (the maintained client behind Node's own), not the global `fetch`, which
 * Next.js patches for caching. Plain `http://` issuers are accepted only on loopback addresses (a provider on the
 * same machine, as the test suite runs one); everything else must be `https://`.
 */
import * as client from "openid-client";
import { fetch as undiciFetch } from "undici";

export { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "./defaults";
/** Seconds a discovery or token request may take before it counts as unreachable. */
export const OIDC_TIMEOUT_SECONDS = 10;

const LOOPBACK = /^(?:localhost|127(?:\.\d{1,3}){3}|\[::1\])$/i;

export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** An issuer URL as Portcullis accepts it, or the sentence saying why not. */
export function checkIssuerUrl(raw: string): { ok: true; url: URL } | { ok: false; error: string } {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return { ok: false, error: `"${raw}" is not a URL (expected the provider's issuer, e.g. https://login.example.com/realms/main)` };
  }
  if (u.protocol !== "https:" && !(u.protocol === "http:" && isLoopbackHost(u.hostname))) {
    return { ok: false, error: "Issuer URL must start with https:// (plain http:// only for a provider on this machine: localhost, 127.0.0.1 or [::1])" };
  }
  if (u.username || u.password) return { ok: false, error: "Issuer URL must not contain a user name or password" };
  if (u.search || u.hash) return { ok: false, error: "Issuer URL must not have a query (?…) or a fragment (#…)" };
  return { ok: true, url: u };
}

/** What a provider's discovery document says, as the Test button shows it. */
export interface DiscoveredProvider {
  issuer: string;
  authorization_endpoint: string | null;
  token_endpoint: string | null;
  userinfo_endpoint: string | null;
  jwks_uri: string | null;
  /** whether it offers PKCE with S256 (the sign-in flow always sends it) */
  pkce_s256: boolean;
  scopes_supported: string[] | null;
}

export type DiscoveryFailureKind = "invalid" | "unreachable" | "tls" | "not_oidc";

export interface DiscoveryFailure {
  kind: DiscoveryFailureKind;
  message: string;
}

const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_|ERR_TLS|ERR_SSL|EPROTO|HOSTNAME_MISMATCH|ALTNAME/;
const UNREACHABLE_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "ETIMEDOUT", "UND_ERR_CONNECT_TIMEOUT", "UND_ERR_SOCKET", "UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT"]);

function causeChain(e: unknown): { code?: string; message?: string; name?: string }[] {
  const out: { code?: string; message?: string; name?: string }[] = [];
  let cur = e as { code?: unknown; message?: unknown; name?: unknown; cause?: unknown } | undefined;
  for (let i = 0; cur && i < 6; i++) {
    out.push({ code: typeof cur.code === "string" ? cur.code : undefined, message: typeof cur.message === "string" ? cur.message : undefined, name: typeof cur.name === "string" ? cur.name : undefined });
    cur = cur.cause as typeof cur;
  }
  return out;
}

/** The sentence for a failed discovery or token request to `issuer`. */
export function describeOidcError(e: unknown, issuer: string): DiscoveryFailure {
  const chain = causeChain(e);
  let host = issuer;
  try {
    host = new URL(issuer).host;
  } catch {
    // keep the raw text
  }
  const tls = chain.find((c) => c.code && TLS_CODES.test(c.code));
  if (tls) return { kind: "tls", message: `TLS error talking to ${host}: ${tls.code}${tls.message && tls.message !== tls.code ? ` (${tls.message})` : ""}. Check the provider's certificate, or trust its CA with NODE_EXTRA_CA_CERTS.` };
  const net = chain.find((c) => c.code && UNREACHABLE_CODES.has(c.code));
  if (net) {
    const what = net.code === "ENOTFOUND" || net.code === "EAI_AGAIN" ? `the name ${host} could not be resolved` : net.code === "ECONNREFUSED" ? `${host} refused the connection` : `no answer from ${host}`;
    return { kind: "unreachable", message: `Unreachable: ${what} (${net.code}).` };
  }
  if (chain.some((c) => c.name === "TimeoutError" || c.name === "AbortError")) {
    return { kind: "unreachable", message: `Unreachable: no answer from ${host} within ${OIDC_TIMEOUT_SECONDS} s.` };
  }
  const oauth = chain.find((c) => c.code?.startsWith("OAUTH_"));
  if (oauth) {
    const why =
      oauth.code === "OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED"
        ? "its discovery document names another issuer than the URL entered (enter the issuer exactly as the provider states it)"
        : oauth.code === "OAUTH_RESPONSE_IS_NOT_CONFORM" || oauth.code === "OAUTH_RESPONSE_IS_NOT_JSON" || oauth.code === "OAUTH_PARSE_ERROR"
          ? `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration did not answer with an OpenID Connect discovery document`
          : (oauth.message ?? oauth.code);
    return { kind: "not_oidc", message: `Not an OpenID Connect issuer: ${why}.` };
  }
  if (chain.some((c) => c.message === "fetch failed")) return { kind: "unreachable", message: `Unreachable: the request to ${host} failed.` };
  return { kind: "not_oidc", message: `Not an OpenID Connect issuer: ${chain[0]?.message ?? "discovery failed"}.` };
}

export interface OidcClientSettings {
  issuerUrl: string;
  clientId: string;
  clientSecret?: string;
}

/**
 * Discovers `issuerUrl` and returns the relying-party configuration (client secret sent as client_secret_basic,
 * the default most providers expect), or the failure to show.
 */
export async function discover(s: OidcClientSettings): Promise<{ ok: true; config: client.Configuration; provider: DiscoveredProvider } | { ok: false; failure: DiscoveryFailure }> {
  const checked = checkIssuerUrl(s.issuerUrl);
  if (!checked.ok) return { ok: false, failure: { kind: "invalid", message: checked.error } };
  try {
    const config = await client.discovery(checked.url, s.clientId || "portcullis", s.clientSecret ? { client_secret: s.clientSecret } : undefined, s.clientSecret ? client.ClientSecretBasic(s.clientSecret) : client.None(), {
      [client.customFetch]: undiciFetch as unknown as client.CustomFetch,
      timeout: OIDC_TIMEOUT_SECONDS,
      execute: checked.url.protocol === "http:" ? [client.allowInsecureRequests] : [],
    });
    const m = config.serverMetadata();
    const provider: DiscoveredProvider = {
      issuer: m.issuer,
      authorization_endpoint: m.authorization_endpoint ?? null,
      token_endpoint: m.token_endpoint ?? null,
      userinfo_endpoint: m.userinfo_endpoint ?? null,
      jwks_uri: m.jwks_uri ?? null,
      pkce_s256: m.code_challenge_methods_supported?.includes("S256") ?? false,
      scopes_supported: m.scopes_supported ?? null,
    };
    if (!provider.authorization_endpoint || !provider.token_endpoint || !provider.jwks_uri) {
      const missing = (["authorization_endpoint", "token_endpoint", "jwks_uri"] as const).filter((k) => !provider[k]);
      return { ok: false, failure: { kind: "not_oidc", message: `Not an OpenID Connect issuer: its discovery document has no ${missing.join(", ")}.` } };
    }
    return { ok: true, config, provider };
  } catch (e) {
    return { ok: false, failure: describeOidcError(e, checked.url.toString()) };
  }
}
