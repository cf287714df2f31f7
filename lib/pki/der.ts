/**
 * Minimal, allocation-light DER reader used by the X.509 / CRL parsers.
 * Isomorphic: no Node imports. Throws `DerError` on malformed input.
 */

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "DerError";
  }
}

export interface Tlv {
  /** Full identifier octet (class + constructed bit + tag number for low tags). */
  tag: number;
  /** Offset of the identifier octet. */
  start: number;
  /** Offset of the first content octet. */
  contentStart: number;
  /** Offset just past the last content octet. */
  end: number;
}

export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
  PRINTABLE: 0x13,
  T61: 0x14,
  IA5: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  VISIBLE: 0x1a,
  UNIVERSAL: 0x1c,
  BMP: 0x1e,
  NUMERIC: 0x12,
} as const;

/** Read one TLV starting at `pos`; it must end at or before `limit`. */
export function readTlv(buf: Uint8Array, pos: number, limit: number = buf.length): Tlv {
  if (pos + 2 > limit) throw new DerError("truncated DER element");
  const tag = buf[pos];
  if ((tag & 0x1f) === 0x1f) throw new DerError("high tag numbers are not supported");
  let len = buf[pos + 1];
  let p = pos + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0) throw new DerError("indefinite length is not allowed in DER");
    if (n > 4) throw new DerError("DER length too large");
    if (p + n > limit) throw new DerError("truncated DER length");
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i];
    p += n;
  }
  const end = p + len;
  if (end > limit) throw new DerError("DER element runs past its container");
  return { tag, start: pos, contentStart: p, end };
}

/** Children of a constructed element. */
export function children(buf: Uint8Array, tlv: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let p = tlv.contentStart;
  while (p < tlv.end) {
    const c = readTlv(buf, p, tlv.end);
    out.push(c);
    p = c.end;
  }
  return out;
}

export function expectTag(t: Tlv, tag: number, what: string): Tlv {
  if (t.tag !== tag) throw new DerError(`${what}: unexpected tag 0x${t.tag.toString(16)}`);
  return t;
}

export function content(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.contentStart, t.end);
}

export function whole(buf: Uint8Array, t: Tlv): Uint8Array {
  return buf.subarray(t.start, t.end);
}

export function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) throw new DerError("empty OID");
  const parts: number[] = [];
  let v = 0;
  for (let i = 0; i < bytes.length; i++) {
    v = v * 128 + (bytes[i] & 0x7f);
    if (!(bytes[i] & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  const first = parts.shift() ?? 0;
  const a = first < 40 ? 0 : first < 80 ? 1 : 2;
  return [a, first - a * 40, ...parts].join(".");
}

export function readOid(buf: Uint8Array, t: Tlv): string {
  return decodeOid(content(buf, expectTag(t, TAG.OID, "OID")));
}

export function readBoolean(buf: Uint8Array, t: Tlv): boolean {
  expectTag(t, TAG.BOOLEAN, "BOOLEAN");
  return buf[t.contentStart] !== 0;
}

/** Small non-negative INTEGER (pathLen, version...). */
export function readSmallInt(buf: Uint8Array, t: Tlv): number {
  expectTag(t, TAG.INTEGER, "INTEGER");
  let v = 0;
  for (let i = t.contentStart; i < t.end; i++) v = v * 256 + buf[i];
  return v;
}

/** A signature BIT STRING: whole octets only (OpenSSL refuses "bits left"; accepting them makes signatures malleable). */
export function readSignatureBits(buf: Uint8Array, t: Tlv): Uint8Array {
  const { bytes, unused } = readBitString(buf, t);
  if (unused !== 0) throw new DerError("signature BIT STRING has unused bits");
  return bytes;
}

/** BIT STRING payload without the unused-bits octet. */
export function readBitString(buf: Uint8Array, t: Tlv): { bytes: Uint8Array; unused: number } {
  expectTag(t, TAG.BIT_STRING, "BIT STRING");
  if (t.end <= t.contentStart) throw new DerError("empty BIT STRING");
  return { unused: buf[t.contentStart], bytes: buf.subarray(t.contentStart + 1, t.end) };
}

const utf8 = new TextDecoder("utf-8", { fatal: false });
const latin1 = new TextDecoder("latin1");

export function decodeString(tag: number, bytes: Uint8Array): string {
  switch (tag) {
    case TAG.BMP: {
      let s = "";
      for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode((bytes[i] << 8) | bytes[i + 1]);
      return s;
    }
    case TAG.UNIVERSAL: {
      let s = "";
      for (let i = 0; i + 3 < bytes.length; i += 4) {
        const cp = ((bytes[i] << 24) | (bytes[i + 1] << 16) | (bytes[i + 2] << 8) | bytes[i + 3]) >>> 0;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : "\ufffd";
      }
      return s;
    }
    case TAG.T61:
      return latin1.decode(bytes);
    default:
      return utf8.decode(bytes);
  }
}

export function readTime(buf: Uint8Array, t: Tlv): Date {
  const s = latin1.decode(content(buf, t));
  let m: RegExpMatchArray | null;
  if (t.tag === TAG.UTC_TIME) {
    m = s.match(/^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/);
    if (!m) throw new DerError(`bad UTCTime "${s}"`);
    const yy = Number(m[1]);
    const year = yy >= 50 ? 1900 + yy : 2000 + yy;
    return new Date(Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? 0)));
  }
  if (t.tag === TAG.GENERALIZED_TIME) {
    m = s.match(/^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(?:\.(\d+))?Z$/);
    if (!m) throw new DerError(`bad GeneralizedTime "${s}"`);
    const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    return new Date(
      Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms),
    );
  }
  throw new DerError("expected a time value");
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0").toUpperCase());

/** "AA:BB:CC" uppercase. */
export function hexColon(bytes: Uint8Array): string {
  const parts = new Array<string>(bytes.length);
  for (let i = 0; i < bytes.length; i++) parts[i] = HEX[bytes[i]];
  return parts.join(":");
}

/** "aabbcc" lowercase. */
export function hexLower(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i]];
  return s.toLowerCase();
}

export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Strip the sign-padding zero of a DER INTEGER. */
export function unsignedInt(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length - 1 && bytes[i] === 0) i++;
  return bytes.subarray(i);
}
