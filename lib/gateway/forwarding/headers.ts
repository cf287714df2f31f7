/**
 * What the origin is told about the client certificate: the headers of "Client certificate forwarding" and of each
 * forwarding preset (lib/access/forwarding-presets), computed from the verified handshake only. One function for every door (the Node
 * engine, the nginx engine's decision socket, Test mTLS), so the tester shows exactly what the origin receives.
 *
 * Certificate fields come only from a chain that validated: a presented certificate that did not validate tells
 * the origin that it was presented and why it failed (cf-cert-verified FAILED:<OpenSSL reason>), never its
 * subject, serial or fingerprints, which anybody can put in a self-made certificate. The client's own copies of
 * every one of these headers are removed before (lib/gateway/headers STRIPPED_HEADERS and prefixes).
 */
import { certFields, type CertFields } from "./fields";
import type { ForwardingPreset } from "../../access/forwarding-presets";

/** RFC 9440 limits, as Cloudflare applies them (seeds/000 "Size limits"). */
export const CLIENT_CERT_MAX = 10 * 1024;
export const CLIENT_CERT_CHAIN_MAX = 16 * 1024;

/** The TLS client auth headers (Cloudflare's managed transform), in its documented order. */
export const TLS_CLIENT_AUTH_HEADERS = [
  "cf-cert-revoked",
  "cf-cert-verified",
  "cf-cert-presented",
  "cf-cert-issuer-dn",
  "cf-cert-subject-dn",
  "cf-cert-issuer-dn-rfc2253",
  "cf-cert-subject-dn-rfc2253",
  "cf-cert-issuer-dn-legacy",
  "cf-cert-subject-dn-legacy",
  "cf-cert-serial",
  "cf-cert-issuer-serial",
  "cf-cert-fingerprint-sha256",
  "cf-cert-fingerprint-sha1",
  "cf-cert-not-before",
  "cf-cert-not-after",
  "cf-cert-ski",
  "cf-cert-issuer-ski",
] as const;

/** OpenSSL's text for a revoked certificate (lib/pki/verify-errors certificate_revoked). */
const REVOKED = "certificate revoked";

export const rfc9440 = (der: Uint8Array): string => `:${Buffer.from(der.buffer, der.byteOffset, der.byteLength).toString("base64")}:`;

export interface ClientCertState {
  /** the client sent a certificate */
  presented: boolean;
  /** the leaf (DER) when the chain validated, else null */
  leaf: Uint8Array | null;
  /** the validated path above the leaf, issuer first and trust anchor last (empty unless validated) */
  issuers: readonly Uint8Array[];
  /** why a presented certificate did not validate (OpenSSL's reason text), else null */
  failure: string | null;
}

export interface ForwardSettings {
  /** "Client certificate forwarding" (Cf-Client-Cert-Der-Base64 and -Sha256, with the RFC 9440 pair) */
  legacy: boolean;
  presets: readonly ForwardingPreset[];
  /** first request on the TLS connection (Cf-Client-Cert-Der-Base64 is sent only then, as Cloudflare does) */
  firstRequest: boolean;
  /** the gateway's own URI SAN (Envoy's By), or null */
  by: string | null;
}

export interface ForwardedCertificate {
  /** lower-case names, in the order they are sent */
  headers: [string, string][];
  /** conditions worth a line in the access log, e.g. "Client-Cert-Chain omitted: too large (17,012 bytes, over 16 KiB)" */
  notes: string[];
}

export const NOTHING_FORWARDED: ForwardedCertificate = Object.freeze({ headers: [], notes: [] }) as ForwardedCertificate;

const tooLarge = (name: string, size: number, limit: number) =>
  `${name} omitted: too large (${size.toLocaleString("en-US")} bytes, over ${limit / 1024} KiB)`;

/** The RFC 9440 pair: the chain in TLS order (issuer first) without the end-entity and without a root anchor. */
function rfc9440Headers(leaf: Uint8Array, issuers: readonly Uint8Array[], out: ForwardedCertificate): void {
  const cert = rfc9440(leaf);
  if (cert.length <= CLIENT_CERT_MAX) out.headers.push(["client-cert", cert]);
  else out.notes.push(tooLarge("Client-Cert", cert.length, CLIENT_CERT_MAX));
  const last = issuers.length - 1;
  const sent = last >= 0 && certFields(issuers[last]).selfIssued ? issuers.slice(0, last) : issuers;
  if (!sent.length) return;
  const chain = sent.map(rfc9440).join(", ");
  if (chain.length <= CLIENT_CERT_CHAIN_MAX) out.headers.push(["client-cert-chain", chain]);
  else out.notes.push(tooLarge("Client-Cert-Chain", chain.length, CLIENT_CERT_CHAIN_MAX));
}

function tlsClientAuthHeaders(state: ClientCertState, leaf: CertFields | null, issuer: CertFields | null, out: ForwardedCertificate): void {
  const verified = !state.presented ? "NONE" : leaf ? "SUCCESS" : `FAILED:${state.failure ?? "unspecified certificate verification error"}`;
  const f = leaf;
  const values: Record<(typeof TLS_CLIENT_AUTH_HEADERS)[number], string> = {
    "cf-cert-revoked": String(state.presented && !leaf && state.failure === REVOKED),
    "cf-cert-verified": verified,
    "cf-cert-presented": String(state.presented),
    "cf-cert-issuer-dn": f?.issuerRfc2253 ?? "",
    "cf-cert-subject-dn": f?.subjectRfc2253 ?? "",
    "cf-cert-issuer-dn-rfc2253": f?.issuerRfc2253 ?? "",
    "cf-cert-subject-dn-rfc2253": f?.subjectRfc2253 ?? "",
    "cf-cert-issuer-dn-legacy": f?.issuerLegacy ?? "",
    "cf-cert-subject-dn-legacy": f?.subjectLegacy ?? "",
    "cf-cert-serial": f?.serial ?? "",
    "cf-cert-issuer-serial": issuer?.serial ?? "",
    "cf-cert-fingerprint-sha256": f?.sha256 ?? "",
    "cf-cert-fingerprint-sha1": f?.sha1 ?? "",
    "cf-cert-not-before": f?.notBefore ?? "",
    "cf-cert-not-after": f?.notAfter ?? "",
    "cf-cert-ski": f?.ski ?? "",
    // The direct issuer's SKI; the leaf's authority key identifier names the same key when the issuer has none.
    "cf-cert-issuer-ski": f ? issuer?.ski || f.akid : "",
  };
  for (const name of TLS_CLIENT_AUTH_HEADERS) out.headers.push([name, values[name]]);
}

/** Envoy's XFCC element for the verified leaf: By, Hash, Subject (always quoted), URI (the first URI SAN), DNS (each). */
export function xfccValue(leaf: CertFields, by: string | null): string {
  const quote = (v: string) => (/[",;=\\]/.test(v) ? `"${v.replace(/(["\\])/g, "\\$1")}"` : v);
  const parts = [...(by ? [`By=${quote(by)}`] : []), `Hash=${leaf.sha256}`, `Subject="${leaf.subjectRfc2253.replace(/"/g, '\\"')}"`, `URI=${quote(leaf.uris[0] ?? "")}`];
  for (const d of leaf.dns) parts.push(`DNS=${quote(d)}`);
  return parts.join(";");
}

/** The certificate headers for one request (lower-case names; empty when nothing is turned on). */
export function forwardedCertificate(state: ClientCertState, settings: ForwardSettings): ForwardedCertificate {
  if (!settings.legacy && !settings.presets.length) return NOTHING_FORWARDED;
  const out: ForwardedCertificate = { headers: [], notes: [] };
  const leafDer = state.leaf;
  const leaf = leafDer ? certFields(leafDer) : null;
  if (leafDer && leaf && settings.legacy && settings.firstRequest) {
    out.headers.push(["cf-client-cert-der-base64", Buffer.from(leafDer.buffer, leafDer.byteOffset, leafDer.byteLength).toString("base64")]);
    out.headers.push(["cf-client-cert-sha256", leaf.sha256]);
  }
  if (leafDer && (settings.legacy || settings.presets.includes("rfc9440"))) rfc9440Headers(leafDer, state.issuers, out);
  if (settings.presets.includes("tls_client_auth")) tlsClientAuthHeaders(state, leaf, leaf && state.issuers.length ? certFields(state.issuers[0]) : null, out);
  if (leaf && settings.presets.includes("xfcc")) out.headers.push(["x-forwarded-client-cert", xfccValue(leaf, settings.by)]);
  return out;
}
