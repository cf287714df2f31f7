/**
 * Request headers sent to the origin. Headers that carry client-certificate or Access identity data are ALWAYS
 * removed from what the client sent (RFC 9440 §6, seeds/000 "Security considerations"), then set by the gateway
 * only from the verified handshake.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

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
const STRIP = new Set<string>(STRIPPED_HEADERS);

/** RFC 9440 limits, as Cloudflare applies them (seeds/000 "Size limits"). */
export const CLIENT_CERT_MAX = 10 * 1024;
export const CLIENT_CERT_CHAIN_MAX = 16 * 1024;

export const rfc9440 = (der: Buffer): string => `:${der.toString("base64")}:`;

export interface ForwardInfo {
  /** leaf DER, only when the certificate validated */
  leaf: Buffer | null;
  /** validated path without the leaf (issuer first), DER */
  chain: Buffer[];
  /** forwarding enabled for the hostname */
  forwarding: boolean;
  /** first request on this TLS connection */
  firstRequest: boolean;
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
    out[n] = value;
  }
  const prior = incoming["x-forwarded-for"];
  out["x-forwarded-for"] = prior ? `${Array.isArray(prior) ? prior.join(", ") : prior}, ${info.clientIp}` : info.clientIp;
  out["x-forwarded-proto"] = "https";
  out["x-forwarded-host"] = info.host;
  if (info.jwt) out["cf-access-jwt-assertion"] = info.jwt;
  if (info.forwarding && info.leaf) {
    if (info.firstRequest) {
      out["cf-client-cert-der-base64"] = info.leaf.toString("base64");
      out["cf-client-cert-sha256"] = createHash("sha256").update(info.leaf).digest("hex");
    }
    const cert = rfc9440(info.leaf);
    if (cert.length <= CLIENT_CERT_MAX) out["client-cert"] = cert;
    if (info.chain.length) {
      const chain = info.chain.map(rfc9440).join(", ");
      if (chain.length <= CLIENT_CERT_CHAIN_MAX) out["client-cert-chain"] = chain;
    }
  }
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
