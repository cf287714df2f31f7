/**
 * Hand-made DER certificates and CRLs for the cases openssl's CLI cannot produce (negative, zero and long serials,
 * duplicate extensions, indirect CRL entries, partitioned CRLs…). ECDSA P-256 / SHA-256 throughout, signed with
 * node:crypto; the output is checked by both `openssl verify` and lib/pki in the differential test.
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from "node:crypto";

const cat = (parts: Uint8Array[]) => Buffer.concat(parts.map((p) => Buffer.from(p)));

function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export const tlv = (tag: number, ...parts: Uint8Array[]): Buffer => {
  const body = cat(parts);
  return cat([Buffer.from([tag]), len(body.length), body]);
};
export const seq = (...p: Uint8Array[]) => tlv(0x30, ...p);
export const set = (...p: Uint8Array[]) => tlv(0x31, ...p);
/** INTEGER with exactly these content octets (so negative, zero and long serials can be made). */
export const intRaw = (content: Uint8Array) => tlv(0x02, content);
export const int = (n: number) => {
  const b: number[] = [];
  let v = n;
  do {
    b.unshift(v & 0xff);
    v = Math.floor(v / 256);
  } while (v > 0);
  if (b[0] & 0x80) b.unshift(0);
  return intRaw(Buffer.from(b));
};
export const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));
export const octet = (b: Uint8Array) => tlv(0x04, b);
export const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, "utf8"));
export const ia5 = (s: string) => tlv(0x16, Buffer.from(s, "latin1"));
export function oid(s: string): Buffer {
  const [a, b, ...rest] = s.split(".").map(Number);
  const out = [a * 40 + b];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
/** [n] context tag; constructed unless `primitive`. */
export const ctx = (n: number, body: Uint8Array, primitive = false) => tlv((primitive ? 0x80 : 0xa0) | n, body);
export function bits(flags: number[]): Buffer {
  // Named bit list: minimal length, trailing zero bits counted as unused.
  const max = Math.max(...flags, 0);
  const bytes = Buffer.alloc((max >> 3) + 1);
  for (const f of flags) bytes[f >> 3] |= 0x80 >> (f & 7);
  const unused = 7 - (max & 7);
  return tlv(0x03, Buffer.from([flags.length ? unused : 0]), flags.length ? bytes : Buffer.alloc(0));
}
function time(d: Date): Buffer {
  const s = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${s.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${s}Z`));
}

export const OIDS = {
  cn: "2.5.4.3",
  o: "2.5.4.10",
  ecdsaSha256: "1.2.840.10045.4.3.2",
  ski: "2.5.29.14",
  ku: "2.5.29.15",
  san: "2.5.29.17",
  bc: "2.5.29.19",
  crlNumber: "2.5.29.20",
  reason: "2.5.29.21",
  delta: "2.5.29.27",
  idp: "2.5.29.28",
  certIssuer: "2.5.29.29",
  nc: "2.5.29.30",
  crldp: "2.5.29.31",
  aki: "2.5.29.35",
  eku: "2.5.29.37",
  clientAuth: "1.3.6.1.5.5.7.3.2",
} as const;

/** Name from [attribute OID, value] pairs, most general first (e.g. O then CN). */
export const name = (...avas: [string, string][]) => seq(...avas.map(([o, v]) => set(seq(oid(o), utf8(v)))));
export const dirName = (n: Buffer) => ctx(4, n);
export const uri = (s: string) => ctx(6, Buffer.from(s, "latin1"), true);
export const dns = (s: string) => ctx(2, Buffer.from(s, "latin1"), true);
export const otherName = (typeId: string, value: Buffer) => ctx(0, cat([oid(typeId), ctx(0, value)]));

export const ext = (id: string, critical: boolean, value: Uint8Array) => seq(oid(id), ...(critical ? [bool(true)] : []), octet(value));

export interface Key {
  priv: KeyObject;
  spki: Buffer;
  id: Buffer;
}
export function newKey(): Key {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const spki = publicKey.export({ type: "spki", format: "der" });
  return { priv: privateKey, spki, id: createHash("sha1").update(spki).digest() };
}

export const E = {
  bc: (ca: boolean, pathLen?: number) => ext(OIDS.bc, true, seq(...(ca ? [bool(true)] : []), ...(pathLen !== undefined ? [int(pathLen)] : []))),
  /** Key usage bits: 0 digitalSignature, 5 keyCertSign, 6 cRLSign. */
  ku: (...flags: number[]) => ext(OIDS.ku, true, bits(flags)),
  eku: (...oids: string[]) => ext(OIDS.eku, false, seq(...oids.map(oid))),
  ski: (k: Key) => ext(OIDS.ski, false, octet(k.id)),
  aki: (k: Key) => ext(OIDS.aki, false, seq(ctx(0, k.id, true))),
  san: (...names: Buffer[]) => ext(OIDS.san, false, seq(...names)),
  /** One distribution point: fullName URIs, optional reasons and cRLIssuer names. */
  crldp: (...dps: { uris?: string[]; reasons?: number[]; crlIssuer?: Buffer[] }[]) =>
    ext(OIDS.crldp, false, seq(...dps.map((d) => seq(
      ...(d.uris ? [ctx(0, ctx(0, cat(d.uris.map(uri))))] : []),
      ...(d.reasons ? [retag(bits(d.reasons), 0x81)] : []),
      ...(d.crlIssuer ? [ctx(2, cat(d.crlIssuer))] : []),
    )))),
  nc: (permitted: Buffer[], excluded: Buffer[] = []) =>
    ext(OIDS.nc, true, seq(
      ...(permitted.length ? [ctx(0, cat(permitted.map((b) => seq(b))))] : []),
      ...(excluded.length ? [ctx(1, cat(excluded.map((b) => seq(b))))] : []),
    )),
};

/** Re-tag a primitive TLV (IMPLICIT tagging). */
export function retag(t: Buffer, tag: number): Buffer {
  const c = Buffer.from(t);
  c[0] = tag;
  return c;
}

export const CRL_EXT = {
  idp: (o: { uris?: string[]; onlyUser?: boolean; onlyCA?: boolean; reasons?: number[]; indirect?: boolean }) =>
    ext(OIDS.idp, true, seq(
      ...(o.uris ? [ctx(0, ctx(0, cat(o.uris.map(uri))))] : []),
      ...(o.onlyUser ? [retag(bool(true), 0x81)] : []),
      ...(o.onlyCA ? [retag(bool(true), 0x82)] : []),
      ...(o.reasons ? [retag(bits(o.reasons), 0x83)] : []),
      ...(o.indirect ? [retag(bool(true), 0x84)] : []),
    )),
  number: (n: number) => ext(OIDS.crlNumber, false, int(n)),
  delta: (base: number) => ext(OIDS.delta, true, int(base)),
  aki: (k: Key) => ext(OIDS.aki, false, seq(ctx(0, k.id, true))),
};

const SIG_ALG = seq(oid(OIDS.ecdsaSha256));
const signed = (tbs: Buffer, key: Key) => seq(tbs, SIG_ALG, tlv(0x03, Buffer.from([0]), sign("sha256", tbs, key.priv)));

const DAY = 86_400_000;

export interface CertSpec {
  serial: Uint8Array | number;
  issuer: Buffer;
  subject: Buffer;
  key: Key;
  signer: Key;
  exts: Buffer[];
  notBefore?: Date;
  notAfter?: Date;
}

export function cert(s: CertSpec): Buffer {
  const serial = typeof s.serial === "number" ? int(s.serial) : intRaw(s.serial);
  const validity = seq(time(s.notBefore ?? new Date(Date.now() - DAY)), time(s.notAfter ?? new Date(Date.now() + 365 * DAY)));
  const tbs = seq(ctx(0, int(2)), serial, SIG_ALG, s.issuer, validity, s.subject, s.key.spki, ...(s.exts.length ? [ctx(3, seq(...s.exts))] : []));
  return signed(tbs, s.signer);
}

export interface CrlEntry {
  serial: Uint8Array | number;
  reason?: number;
  /** certificateIssuer entry extension (indirect CRLs). */
  certIssuer?: Buffer;
}

export function crl(s: { issuer: Buffer; signer: Key; entries?: CrlEntry[]; exts?: Buffer[]; thisUpdate?: Date; nextUpdate?: Date }): Buffer {
  const entries = (s.entries ?? []).map((e) => {
    const exts = [
      ...(e.reason !== undefined ? [ext(OIDS.reason, false, tlv(0x0a, Buffer.from([e.reason])))] : []),
      ...(e.certIssuer ? [ext(OIDS.certIssuer, true, seq(dirName(e.certIssuer)))] : []),
    ];
    return seq(typeof e.serial === "number" ? int(e.serial) : intRaw(e.serial), time(new Date(Date.now() - DAY)), ...(exts.length ? [seq(...exts)] : []));
  });
  const tbs = seq(
    int(1),
    SIG_ALG,
    s.issuer,
    time(s.thisUpdate ?? new Date(Date.now() - DAY)),
    time(s.nextUpdate ?? new Date(Date.now() + 30 * DAY)),
    ...(entries.length ? [seq(...entries)] : []),
    ...(s.exts?.length ? [ctx(0, seq(...s.exts))] : []),
  );
  return signed(tbs, s.signer);
}

export const pem = (der: Buffer, label = "CERTIFICATE") =>
  `-----BEGIN ${label}-----\n${der.toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END ${label}-----\n`;
