/**
 * Request headers sent to the origin. Headers that carry client-certificate or Access identity data are ALWAYS
 * removed from what the client sent (RFC 9440 §6, seeds/000 "Security considerations"), then set by the gateway
 * only from the verified handshake. So are:
 * - every header whose name contains "_": CGI-style origins (PHP, WSGI, nginx fastcgi) map "-" and "_" to the same
 *   variable, so `Cf_Access_Jwt_Assertion` would be read as the real `Cf-Access-Jwt-Assertion` (and on the second
 *   request of a connection, where the gateway sends no Cf-Client-Cert-Der-Base64, as the only one);
 * - the client's own CF_Authorization cookie (the origin must only see the token the gateway signed: the header);
 * - every cf-cert-* and X-Forwarded-* header (the forwarding presets' names, lib/gateway/forwarding);
 * - client-chosen address headers (Cf-Connecting-Ip, True-Client-Ip, X-Real-Ip, Forwarded, X-Forwarded-*): the
 *   gateway sets Cf-Connecting-Ip and X-Forwarded-For to the socket address, X-Forwarded-Proto/-Host itself.
 */
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";
import type { ForwardedCertificate } from "./forwarding/headers";

/** Never forwarded from the client. */
export const STRIPPED_HEADERS = [
  "client-cert",
  "client-cert-chain",
  "cf-client-cert-der-base64",
  "cf-client-cert-sha256",
  "cf-access-jwt-assertion",
  "cf-access-authenticated-user-email",
  "cf-access-client-id",
  "cf-access-client-secret",
] as const;

const HOP_BY_HOP = new Set(["connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade"]);
/** Client address headers the gateway replaces with its own view (plus every x-forwarded-* name). */
export const ADDRESS_HEADERS = ["cf-connecting-ip", "true-client-ip", "x-real-ip", "forwarded"] as const;
const STRIP = new Set<string>([...STRIPPED_HEADERS, ...ADDRESS_HEADERS]);

/**
 * The Cookie header without CF_Authorization (any case: origins differ in how they compare cookie names), or
 * null when nothing else is left. Unchanged (same string) when there is none.
 */
export function withoutAccessCookie(value: string | string[]): string | null {
  const joined = Array.isArray(value) ? value.join("; ") : value;
  // Fast path: most Cookie headers do not mention it at all.
  if (!/cf_authorization/i.test(joined)) return joined;
  const kept = joined.split(";").filter((part) => {
    const i = part.indexOf("=");
    return (i < 0 ? part : part.slice(0, i)).trim().toLowerCase() !== "cf_authorization";
  });
  const out = kept.map((p) => p.trim()).filter(Boolean).join("; ");
  return out || null;
}

export { CLIENT_CERT_CHAIN_MAX, CLIENT_CERT_MAX, rfc9440 } from "./forwarding/headers";

export interface ForwardInfo {
  /** the certificate headers of the hostname's forwarding settings (./forwarding), computed for this request */
  certificate: ForwardedCertificate;
  jwt: string | null;
  clientIp: string;
  host: string;
}

/** Connection-listed header names (RFC 9110 §7.6.1), or null when the header only says keep-alive/close. */
function connectionListed(value: string | string[] | undefined): Set<string> | null {
  if (value === undefined) return null;
  const v = String(value).toLowerCase();
  if (v === "keep-alive" || v === "close") return null;
  const names = v.split(",").map((s) => s.trim()).filter(Boolean);
  return names.length ? new Set(names) : null;
}

export function originHeaders(incoming: IncomingHttpHeaders, info: ForwardInfo): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const listed = connectionListed(incoming.connection);
  // Node gives IncomingHttpHeaders with lower-case names.
  for (const n in incoming) {
    const value = incoming[n];
    if (value === undefined || STRIP.has(n) || HOP_BY_HOP.has(n) || (listed !== null && listed.has(n))) continue;
    // x-forwarded-* covers X-Forwarded-Client-Cert; cf-cert-* the TLS client auth headers (./forwarding).
    if (n.includes("_") || n.startsWith("x-forwarded-") || n.startsWith("cf-cert-")) continue;
    if (n === "cookie") {
      const c = withoutAccessCookie(value);
      if (c !== null) out.cookie = c;
      continue;
    }
    out[n] = value;
  }
  // Only the socket address: without a trusted proxy in front, anything the client sent about addresses is its choice.
  out["cf-connecting-ip"] = info.clientIp;
  out["x-forwarded-for"] = info.clientIp;
  out["x-forwarded-proto"] = "https";
  out["x-forwarded-host"] = info.host;
  if (info.jwt) out["cf-access-jwt-assertion"] = info.jwt;
  for (const [name, value] of info.certificate.headers) out[name] = value;
  return out;
}

/** Response headers from the origin that must not be relayed as they are. */
export function clientResponseHeaders(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const name in headers) {
    const value = headers[name];
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * `clientResponseHeaders` over undici's raw response headers (name, value, name, value… as Buffers): a flat list for
 * `writeHead`, without building a header object per response. Repeated names (Set-Cookie) stay separate lines.
 */
export function clientResponseHeaderList(raw: Buffer[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toString("latin1");
    // (the longest hop-by-hop name has 18 characters: longer names need no lower-casing)
    if (name.length <= 18 && HOP_BY_HOP.has(name.toLowerCase())) continue;
    out.push(name, raw[i + 1].toString("latin1"));
  }
  return out;
}
