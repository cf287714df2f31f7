/** Certificate revocation lists (RFC 5280 §5): parsing and loading. */
import {
  children,
  content,
  DerError,
  expectTag,
  hexColon,
  readSignatureBits,
  readBoolean,
  readOid,
  readTime,
  readTlv,
  TAG,
  unsignedInt,
  whole,
} from "./der";
import { parseName, type ParsedName } from "./names";
import { EXT } from "./oids";
import { decodeBase64 } from "./pem";
import { looksLikeDer } from "./x509";

export const REASONS = [
  "unspecified",
  "keyCompromise",
  "cACompromise",
  "affiliationChanged",
  "superseded",
  "cessationOfOperation",
  "certificateHold",
  "unused",
  "removeFromCRL",
  "privilegeWithdrawn",
  "aACompromise",
] as const;

export interface RevokedEntry {
  serialNumber: string;
  revocationDate: string;
  reason?: string;
}

export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  signatureOid: string;
  signatureParams: Uint8Array | null;
  tbsSignatureOid: string;
  signature: Uint8Array;
  issuer: ParsedName;
  thisUpdate: Date;
  nextUpdate: Date | null;
  /** Keyed by colon-hex serial (as ParsedCertificate.serialHex). */
  revoked: Map<string, RevokedEntry>;
  authorityKeyId: Uint8Array | null;
  /** Issuing distribution point scope, when present. */
  scope: { onlyUser: boolean; onlyCA: boolean; unsupported: boolean } | null;
  /** Critical CRL or entry extensions we do not implement (delta CRLs, indirect CRLs...). */
  unhandledCritical: string[];
}

const HANDLED_CRL_EXTENSIONS = new Set<string>([
  EXT.authorityKeyIdentifier,
  EXT.crlNumber,
  EXT.issuerAltName,
  EXT.issuingDistributionPoint,
  EXT.freshestCrl,
]);
const HANDLED_ENTRY_EXTENSIONS = new Set<string>([EXT.crlReason, EXT.invalidityDate]);

function readExtensions(buf: Uint8Array, seqStart: number, seqEnd: number) {
  const seq = readTlv(buf, seqStart, seqEnd);
  return children(buf, seq).map((e) => {
    const f = children(buf, e);
    let critical = false;
    let v = f[1];
    if (v?.tag === TAG.BOOLEAN) {
      critical = readBoolean(buf, v);
      v = f[2];
    }
    return { oid: readOid(buf, f[0]), critical, value: content(buf, expectTag(v, TAG.OCTET_STRING, "extnValue")) };
  });
}

export function parseCrlDer(der: Uint8Array): ParsedCrl {
  const outer = expectTag(readTlv(der, 0), TAG.SEQUENCE, "CertificateList");
  const [tbsT, algT, sigT] = children(der, outer);
  if (!tbsT || !algT || !sigT) throw new DerError("CertificateList must have three parts");
  const parts = children(der, expectTag(tbsT, TAG.SEQUENCE, "TBSCertList"));
  let i = 0;
  if (parts[i]?.tag === TAG.INTEGER) i++;
  const tbsAlg = children(der, parts[i++]);
  const issuer = parseName(der, parts[i++]);
  const thisUpdate = readTime(der, parts[i++]);
  let nextUpdate: Date | null = null;
  if (parts[i] && (parts[i].tag === TAG.UTC_TIME || parts[i].tag === TAG.GENERALIZED_TIME)) nextUpdate = readTime(der, parts[i++]);
  const crl: ParsedCrl = {
    der,
    tbs: whole(der, tbsT),
    signatureOid: readOid(der, children(der, algT)[0]),
    signatureParams: (() => {
      const p = children(der, algT)[1];
      return p && p.tag !== TAG.NULL ? whole(der, p) : null;
    })(),
    tbsSignatureOid: readOid(der, tbsAlg[0]),
    signature: readSignatureBits(der, sigT),
    issuer,
    thisUpdate,
    nextUpdate,
    revoked: new Map(),
    authorityKeyId: null,
    scope: null,
    unhandledCritical: [],
  };
  if (parts[i]?.tag === TAG.SEQUENCE) {
    for (const entry of children(der, parts[i++])) {
      const [serialT, dateT, extT] = children(der, entry);
      const serialNumber = hexColon(unsignedInt(content(der, serialT)));
      const e: RevokedEntry = { serialNumber, revocationDate: readTime(der, dateT).toISOString() };
      if (extT) {
        for (const ext of readExtensions(der, extT.start, extT.end)) {
          if (ext.oid === EXT.crlReason) e.reason = REASONS[ext.value[ext.value.length - 1]] ?? "unspecified";
          else if (ext.critical && !HANDLED_ENTRY_EXTENSIONS.has(ext.oid)) crl.unhandledCritical.push(ext.oid);
        }
      }
      crl.revoked.set(serialNumber, e);
    }
  }
  const extWrap = parts[i];
  if (extWrap?.tag === 0xa0) {
    for (const ext of readExtensions(der, extWrap.contentStart, extWrap.end)) {
      if (ext.oid === EXT.authorityKeyIdentifier) {
        for (const c of children(ext.value, readTlv(ext.value, 0))) if (c.tag === 0x80) crl.authorityKeyId = content(ext.value, c);
      } else if (ext.oid === EXT.issuingDistributionPoint) {
        const scope = { onlyUser: false, onlyCA: false, unsupported: false };
        for (const f of children(ext.value, readTlv(ext.value, 0))) {
          const n = f.tag & 0x1f;
          const on = f.end > f.contentStart && ext.value[f.contentStart] !== 0;
          if (n === 1) scope.onlyUser = on;
          else if (n === 2) scope.onlyCA = on;
          else if (n === 3 || (n === 4 && on) || (n === 5 && on)) scope.unsupported = true;
        }
        crl.scope = scope;
      } else if (ext.oid === EXT.deltaCrlIndicator || (ext.critical && !HANDLED_CRL_EXTENSIONS.has(ext.oid))) {
        crl.unhandledCritical.push(ext.oid);
      }
    }
  }
  return crl;
}

/** Load CRLs from PEM ("X509 CRL" blocks), DER, or bare base64. */
export function loadCrls(input: string | Uint8Array): { crls: ParsedCrl[]; errors: string[] } {
  const crls: ParsedCrl[] = [];
  const errors: string[] = [];
  const tryParse = (der: Uint8Array, what: string) => {
    try {
      crls.push(parseCrlDer(der));
    } catch (e) {
      errors.push(`${what} is not a valid CRL (${(e as Error).message})`);
    }
  };
  if (typeof input !== "string") {
    if (looksLikeDer(input)) {
      tryParse(input, "CRL");
      return { crls, errors };
    }
    input = new TextDecoder().decode(input);
  }
  const text = input.replace(/\r\n?/g, "\n").split("\n").map((l) => l.trim()).join("\n");
  const re = /-----BEGIN X509 CRL-----\n([\s\S]*?)\n?-----END X509 CRL-----/g;
  let m: RegExpExecArray | null;
  let n = 0;
  while ((m = re.exec(text))) {
    n++;
    const der = decodeBase64(m[1]);
    if (der) tryParse(der, `CRL #${n}`);
    else errors.push(`CRL #${n} does not contain valid base64 data`);
  }
  if (n === 0) {
    const bare = decodeBase64(text);
    if (bare && looksLikeDer(bare)) tryParse(bare, "CRL");
    else errors.push("No CRL found (expected -----BEGIN X509 CRL-----).");
  }
  return { crls, errors };
}
