/**
 * Name constraints (RFC 5280 §4.2.1.10), matched the way OpenSSL 3 does (v3_ncons.c):
 * names checked are the subject DN (directoryName), subject emailAddress attributes (rfc822Name),
 * SAN dNSName / rfc822Name / URI / iPAddress / directoryName, and — for the leaf only, when it has
 * no SAN dNSName — a subject CN that looks like a host name.
 */
import { canonValue, commonName, emailAddresses, type GeneralName } from "./names";
import type { NameConstraints, ParsedCertificate } from "./x509";

export type NcViolation = {
  code: "permitted_violation" | "excluded_violation" | "unsupported_constraint_type" | "unspecified";
  name: string;
};

/**
 * OpenSSL's NAME_CHECK_MAX: when (names of a certificate) × (subtrees of the constraint) exceeds it the check is
 * refused outright instead of being run, so a crafted chain cannot make validation take seconds.
 */
export const NAME_CHECK_MAX = 1 << 20;

type Name = { type: GeneralName["type"]; value: string; bytes?: Uint8Array; rdnKeys?: string[]; typeId?: string; tagNo?: number };

const HOSTLIKE = /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)+[a-z0-9_-]{1,63}$/i;

function rdnKeys(g: { rdns: { oid: string; value: string }[][] }): string[] {
  return g.rdns.map((r) =>
    r
      .map((a) => `${a.oid}=${canonValue(a.value)}`)
      .sort()
      .join("+"),
  );
}

function namesOf(cert: ParsedCertificate, isLeaf: boolean): Name[] {
  const out: Name[] = [];
  if (cert.subject.rdns.length) out.push({ type: "dn", value: cert.subject.text, rdnKeys: rdnKeys(cert.subject) });
  for (const e of emailAddresses(cert.subject)) out.push({ type: "email", value: e });
  for (const g of cert.subjectAltNames ?? []) {
    if (g.type === "ip") out.push({ type: "ip", value: g.value, bytes: g.bytes });
    else if (g.type === "dn") out.push({ type: "dn", value: g.value, rdnKeys: rdnKeys(g.name) });
    // An SmtpUTF8Mailbox otherName is constrained as an rfc822Name (OpenSSL nc_email_eai).
    else if (g.type === "other" && g.mailbox !== undefined) out.push({ type: "email", value: g.mailbox });
    else if (g.type === "other") out.push({ type: "other", value: g.value, typeId: g.typeId, tagNo: g.tagNo });
    else out.push({ type: g.type, value: g.value });
  }
  if (isLeaf && !(cert.subjectAltNames ?? []).some((g) => g.type === "dns")) {
    const cn = commonName(cert.subject);
    if (cn && HOSTLIKE.test(cn)) out.push({ type: "dns", value: cn });
  }
  return out;
}

function dnsMatch(name: string, base: string): boolean {
  const n = name.toLowerCase();
  const b = base.toLowerCase();
  if (b === "") return true;
  if (b.startsWith(".")) return n.endsWith(b);
  return n === b || n.endsWith(`.${b}`);
}

function emailMatch(name: string, base: string): boolean {
  const at = name.lastIndexOf("@");
  if (at < 0) return false;
  const local = name.slice(0, at);
  const host = name.slice(at + 1).toLowerCase();
  const b = base.toLowerCase();
  if (base.includes("@")) {
    const bat = base.lastIndexOf("@");
    return local === base.slice(0, bat) && host === base.slice(bat + 1).toLowerCase();
  }
  if (b.startsWith(".")) return host.endsWith(b);
  return host === b;
}

function uriHost(uri: string): string | null {
  const m = uri.match(/^[a-z][a-z0-9+.-]*:\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)/i);
  return m && m[1] ? m[1].toLowerCase() : null;
}

function ipMatch(bytes: Uint8Array | undefined, base: GeneralName): boolean {
  if (!bytes || base.type !== "ip") return false;
  const b = base.bytes;
  if (b.length !== bytes.length * 2) return false;
  for (let i = 0; i < bytes.length; i++) {
    const mask = b[bytes.length + i];
    if ((bytes[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

/** A subtree of the same kind as the name (an otherName only with the same type-id, as OpenSSL nc_match). */
function sameType(name: Name, base: GeneralName): boolean {
  if (base.type !== name.type) return false;
  if (base.type !== "other") return true;
  return base.tagNo === name.tagNo && base.typeId === name.typeId;
}

function matches(name: Name, base: GeneralName, baseRdns: string[] | undefined): boolean {
  switch (base.type) {
    case "dns":
      return dnsMatch(name.value, base.value);
    case "email":
      return emailMatch(name.value, base.value);
    case "uri": {
      const host = uriHost(name.value);
      if (!host) return false;
      const b = base.value.toLowerCase();
      return b.startsWith(".") ? host.endsWith(b) : host === b;
    }
    case "ip":
      return ipMatch(name.bytes, base);
    case "dn": {
      const want = baseRdns ?? [];
      const have = name.rdnKeys ?? [];
      return want.length <= have.length && want.every((k, i) => have[i] === k);
    }
    default:
      return false;
  }
}

export function checkNameConstraints(
  cert: ParsedCertificate,
  nc: NameConstraints,
  isLeaf: boolean,
): NcViolation | null {
  const names = namesOf(cert, isLeaf);
  const subtrees = nc.permitted.length + nc.excluded.length;
  const counted = cert.subject.rdns.reduce((n, r) => n + r.length, 0) + (cert.subjectAltNames?.length ?? 0);
  if (counted > 0 && subtrees > Math.floor(NAME_CHECK_MAX / counted))
    return { code: "unspecified", name: `${counted} names × ${subtrees} name-constraint subtrees (more than ${NAME_CHECK_MAX} comparisons)` };
  const prep = (list: NameConstraints["permitted"]) => list.map((s) => ({ base: s.base, rdns: s.base.type === "dn" ? rdnKeys(s.base.name) : undefined }));
  const permitted = prep(nc.permitted);
  const excluded = prep(nc.excluded);
  for (const name of names) {
    const perm = permitted.filter((s) => sameType(name, s.base));
    const excl = excluded.filter((s) => sameType(name, s.base));
    if (name.type === "other") {
      // OpenSSL cannot match otherName (other than SmtpUTF8Mailbox) and refuses when a subtree of its type exists.
      if (perm.length || excl.length) return { code: "unsupported_constraint_type", name: `otherName ${name.typeId ?? `tag ${name.tagNo}`}` };
      continue;
    }
    if (perm.length && !perm.some((s) => matches(name, s.base, s.rdns))) return { code: "permitted_violation", name: `${name.type}:${name.value}` };
    if (excl.some((s) => matches(name, s.base, s.rdns))) return { code: "excluded_violation", name: `${name.type}:${name.value}` };
  }
  return null;
}
