/** Distinguished names and GeneralNames. */
import { children, content, decodeString, readOid, readTlv, TAG, whole, type Tlv } from "./der";
import { ATTRIBUTE_NAMES, OID_CN, OID_EMAIL } from "./oids";

export interface Ava {
  oid: string;
  value: string;
}

export interface ParsedName {
  der: Uint8Array;
  /** RDNs in encoded order (most general first, e.g. C, O, CN). */
  rdns: Ava[][];
  /** RFC 4514 string (most specific first): "CN=John Doe,O=Acme,C=US". */
  text: string;
  /** Canonical comparison key (RFC 5280 §7.1 / OpenSSL-style canonical form). */
  key: string;
}

function escapeValue(v: string): string {
  let s = v.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`);
  if (s.startsWith("#") || s.startsWith(" ")) s = `\\${s}`;
  if (s.endsWith(" ") && s.length > 1) s = `${s.slice(0, -1)}\\ `;
  // Control characters are shown escaped so they cannot hide text in a UI.
  return s.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, "0")}`);
}

/** Lower-case, trim and collapse internal whitespace (OpenSSL x509_name_canon). */
export function canonValue(v: string): string {
  return v.trim().replace(/\s+/g, " ").toLowerCase();
}

export function parseName(buf: Uint8Array, t: Tlv): ParsedName {
  const rdns: Ava[][] = [];
  for (const set of children(buf, t)) {
    const avas: Ava[] = [];
    for (const seq of children(buf, set)) {
      const [typ, val] = children(buf, seq);
      if (!typ || !val) continue;
      avas.push({ oid: readOid(buf, typ), value: decodeString(val.tag, content(buf, val)) });
    }
    rdns.push(avas);
  }
  const text = rdns
    .slice()
    .reverse()
    .map((r) => r.map((a) => `${ATTRIBUTE_NAMES[a.oid] ?? a.oid}=${escapeValue(a.value)}`).join("+"))
    .join(",");
  const key = rdns
    .map((r) =>
      r
        .map((a) => `${a.oid}=${canonValue(a.value)}`)
        .sort()
        .join("+"),
    )
    .join("/");
  return { der: whole(buf, t), rdns, text, key };
}

export function nameField(name: ParsedName, oid: string): string[] {
  const out: string[] = [];
  for (const r of name.rdns) for (const a of r) if (a.oid === oid) out.push(a.value);
  return out;
}

/** Last (most specific) CN, or null. */
export function commonName(name: ParsedName): string | null {
  const cns = nameField(name, OID_CN);
  return cns.length ? cns[cns.length - 1] : null;
}

export function emailAddresses(name: ParsedName): string[] {
  return nameField(name, OID_EMAIL);
}

export type GeneralName =
  | { type: "dns"; value: string }
  | { type: "email"; value: string }
  | { type: "uri"; value: string }
  | { type: "ip"; value: string; bytes: Uint8Array }
  | { type: "dn"; value: string; name: ParsedName }
  | { type: "other"; value: string; tagNo: number; typeId?: string; mailbox?: string };

/** id-on-SmtpUTF8Mailbox (RFC 9598): the only otherName that name constraints (as rfc822Name) apply to. */
export const OID_SMTP_UTF8_MAILBOX = "1.3.6.1.5.5.7.8.9";

function ipText(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join(".");
  if (b.length === 16) {
    const parts: string[] = [];
    for (let i = 0; i < 16; i += 2) parts.push(((b[i] << 8) | b[i + 1]).toString(16));
    return parts.join(":");
  }
  // Name-constraint form: address followed by mask.
  if (b.length === 8) return `${ipText(b.subarray(0, 4))}/${ipText(b.subarray(4))}`;
  if (b.length === 32) return `${ipText(b.subarray(0, 16))}/${ipText(b.subarray(16))}`;
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const ascii = new TextDecoder("latin1");

export function parseGeneralName(buf: Uint8Array, t: Tlv): GeneralName {
  const tagNo = t.tag & 0x1f;
  const body = content(buf, t);
  switch (tagNo) {
    case 1:
      return { type: "email", value: ascii.decode(body) };
    case 2:
      return { type: "dns", value: ascii.decode(body) };
    case 6:
      return { type: "uri", value: ascii.decode(body) };
    case 7:
      return { type: "ip", value: ipText(body), bytes: body };
    case 4: {
      const inner = readTlv(buf, t.contentStart, t.end);
      const name = parseName(buf, inner);
      return { type: "dn", value: name.text, name };
    }
    case 0: {
      // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY }
      const [typ, val] = children(buf, t);
      const typeId = typ ? readOid(buf, typ) : "";
      let mailbox: string | undefined;
      if (typeId === OID_SMTP_UTF8_MAILBOX && val) {
        const inner = readTlv(buf, val.contentStart, val.end);
        mailbox = decodeString(inner.tag, content(buf, inner));
      }
      return { type: "other", value: mailbox !== undefined ? `othername:SmtpUTF8Mailbox:${mailbox}` : `othername:${typeId}`, tagNo, typeId, mailbox };
    }
    default:
      return { type: "other", value: `othername:<tag ${tagNo}>`, tagNo };
  }
}

export function generalNameText(g: GeneralName): string {
  switch (g.type) {
    case "dns":
      return `DNS:${g.value}`;
    case "email":
      return `email:${g.value}`;
    case "uri":
      return `URI:${g.value}`;
    case "ip":
      return `IP:${g.value}`;
    case "dn":
      return `DirName:${g.value}`;
    default:
      return g.value;
  }
}

export const isSequence = (t: Tlv) => t.tag === TAG.SEQUENCE;
