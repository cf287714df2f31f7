/**
 * The fields of a client certificate that the forwarding presets send to the origin, in the exact forms OpenSSL
 * prints them (the forms Cloudflare's and Envoy's headers use), so an origin can compare them with
 * `openssl x509 -noout -subject -nameopt RFC2253` and friends:
 * - DNs in RFC 2253 form (most specific first, `,` between RDNs, `\,` escapes, bytes above 0x7F as `\XX`) and in the
 *   legacy one-line form (`/C=US/O=Acme/CN=John Doe`, bytes outside printable ASCII as `\xXX`);
 * - serial numbers and key identifiers as upper-case hex, fingerprints as lower-case hex;
 * - validity dates as `Dec  5 17:15:46 2026 GMT` (OpenSSL's ASN1_TIME_print).
 */
import { createHash, X509Certificate } from "node:crypto";
import { parseCertificate, type ParsedCertificate } from "../../pki";
import { hexLower, unsignedInt } from "../../pki/der";
import type { Ava, ParsedName } from "../../pki/names";
import { ATTRIBUTE_NAMES } from "../../pki/oids";

export interface CertFields {
  subjectRfc2253: string;
  subjectLegacy: string;
  issuerRfc2253: string;
  issuerLegacy: string;
  /** upper-case hex, as `openssl x509 -serial` */
  serial: string;
  sha1: string;
  sha256: string;
  notBefore: string;
  notAfter: string;
  /** subject key identifier, upper-case hex; "" without the extension */
  ski: string;
  /** the authority key identifier's keyid, upper-case hex; "" without one */
  akid: string;
  uris: string[];
  dns: string[];
  /** subject equals issuer (a root, when it is also the trust anchor) */
  selfIssued: boolean;
}

const utf8 = new TextEncoder();
const upperHex = (b: Uint8Array) => hexLower(b).toUpperCase();
const byteHex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");

/** OpenSSL's short name of an attribute (its dotted OID when OpenSSL has none either). */
const shortName = (oid: string) => ATTRIBUTE_NAMES[oid] ?? oid;

/** One value escaped as X509_NAME_print_ex with XN_FLAG_RFC2253 does (ESC_2253 | ESC_CTRL | ESC_MSB | UTF8_CONVERT). */
function rfc2253Value(value: string): string {
  const bytes = utf8.encode(value);
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    const c = String.fromCharCode(b);
    if (b < 0x20 || b >= 0x7f) out += `\\${byteHex(b)}`;
    else if (',+"\\<>;'.includes(c) || ((c === "#" || c === " ") && i === 0) || (c === " " && i === bytes.length - 1)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

/** One value as X509_NAME_oneline writes it: printable ASCII as is, every other byte as \xXX. */
function legacyValue(value: string): string {
  const bytes = utf8.encode(value);
  let out = "";
  for (const b of bytes) out += b < 0x20 || b > 0x7e ? `\\x${byteHex(b)}` : String.fromCharCode(b);
  return out;
}

const ava = (a: Ava, esc: (v: string) => string) => `${shortName(a.oid)}=${esc(a.value)}`;

/**
 * RFC 2253 as OpenSSL prints it: the whole list of attributes reversed (so the values of a multi-valued RDN come in
 * reverse encoded order too), RDNs joined by ",", the values of one RDN by "+".
 */
export function dnRfc2253(name: ParsedName): string {
  return name.rdns
    .slice()
    .reverse()
    .map((r) => r.slice().reverse().map((a) => ava(a, rfc2253Value)).join("+"))
    .join(",");
}

/** The legacy one-line form (X509_NAME_oneline): in encoded order, "/" before each RDN, "+" within one. */
export function dnLegacy(name: ParsedName): string {
  return name.rdns.map((r) => `/${r.map((a) => ava(a, legacyValue)).join("+")}`).join("");
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const two = (n: number) => String(n).padStart(2, "0");

/** OpenSSL's ASN1_TIME_print form: "Dec  5 17:15:46 2026 GMT" (the day padded with a space). */
export function opensslTime(d: Date): string {
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} ${d.getUTCFullYear()} GMT`;
}

const digest = (alg: string, der: Uint8Array) => createHash(alg).update(der).digest("hex");

export function fieldsOf(der: Uint8Array, parsed: ParsedCertificate = parseCertificate(der)): CertFields {
  const sans = parsed.subjectAltNames ?? [];
  return {
    subjectRfc2253: dnRfc2253(parsed.subject),
    subjectLegacy: dnLegacy(parsed.subject),
    issuerRfc2253: dnRfc2253(parsed.issuer),
    issuerLegacy: dnLegacy(parsed.issuer),
    serial: upperHex(unsignedInt(parsed.serial)),
    sha1: digest("sha1", der),
    sha256: digest("sha256", der),
    notBefore: opensslTime(parsed.notBefore),
    notAfter: opensslTime(parsed.notAfter),
    ski: parsed.subjectKeyId ? upperHex(parsed.subjectKeyId) : "",
    akid: parsed.authorityKeyId ? upperHex(parsed.authorityKeyId) : "",
    uris: sans.filter((g) => g.type === "uri").map((g) => g.value),
    dns: sans.filter((g) => g.type === "dns").map((g) => g.value),
    selfIssued: parsed.selfIssued,
  };
}

/** Parsed fields per DER buffer: the gateway hands the same Buffer objects for every request of a connection. */
const memo = new WeakMap<Uint8Array, CertFields>();

export function certFields(der: Uint8Array): CertFields {
  let f = memo.get(der);
  if (!f) {
    f = fieldsOf(der);
    memo.set(der, f);
  }
  return f;
}

/** The first URI SAN of a certificate in PEM (the gateway's own: Envoy's XFCC By), or null. */
export function serverUriOf(certPem: string): string | null {
  try {
    return certFields(new Uint8Array(new X509Certificate(certPem).raw)).uris[0] ?? null;
  } catch {
    return null;
  }
}
