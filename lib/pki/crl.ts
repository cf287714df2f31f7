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
import { cachedLoadCrls, type LoadedCrls } from "./crl-cache";
import { parseIssuingDistributionPoint, type IssuingDistributionPoint } from "./distribution-points";
import { parseGeneralName, parseName, type ParsedName } from "./names";
import { EXT } from "./oids";
import { decodeBase64 } from "./pem";
import { looksLikeDer, serialKeyOf } from "./x509";

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
  /** Keyed by colon-hex serial (as ParsedCertificate.serialHex), for display. */
  revoked: Map<string, RevokedEntry>;
  /**
   * What revocation looks up (`revokedEntry`): certificate issuer (canonical name key) → serial as encoded
   * (`serialKeyOf`) → entry. The certificate issuer is the CRL issuer unless an indirect CRL's
   * certificateIssuer entry extension says otherwise.
   */
  revokedByKey: Map<string, Map<string, RevokedEntry>>;
  /** The full Issuing Distribution Point, when present. */
  idp: IssuingDistributionPoint | null;
  /** A delta CRL (deltaCRLIndicator present). */
  delta: boolean;
  authorityKeyId: Uint8Array | null;
  /**
   * Issuing distribution point scope, when present. `unsupported` means the scope also depends on distribution point
   * names, reasons or indirect issuers (see `idp`): a consumer that does not evaluate those must not treat the CRL as
   * complete.
   */
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
const HANDLED_ENTRY_EXTENSIONS = new Set<string>([EXT.crlReason, EXT.invalidityDate, EXT.certificateIssuer]);

/** The entry of `crl` for the certificate of `issuerKey` (canonical name key) with serial `serialKey` (as encoded). */
export const revokedEntry = (crl: ParsedCrl, issuerKey: string, serialKey: string) => crl.revokedByKey.get(issuerKey)?.get(serialKey);

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
    revokedByKey: new Map(),
    idp: null,
    delta: false,
    authorityKeyId: null,
    scope: null,
    unhandledCritical: [],
  };
  const entriesT = parts[i]?.tag === TAG.SEQUENCE ? parts[i++] : null;
  const extWrap = parts[i];
  if (extWrap?.tag === 0xa0) {
    const seen = new Set<string>();
    for (const ext of readExtensions(der, extWrap.contentStart, extWrap.end)) {
      if (seen.has(ext.oid)) crl.unhandledCritical.push(`${ext.oid} (duplicate)`);
      seen.add(ext.oid);
      if (ext.oid === EXT.authorityKeyIdentifier) {
        for (const c of children(ext.value, readTlv(ext.value, 0))) if (c.tag === 0x80) crl.authorityKeyId = content(ext.value, c);
      } else if (ext.oid === EXT.issuingDistributionPoint) {
        const idp = parseIssuingDistributionPoint(ext.value);
        crl.idp = idp;
        crl.scope = { onlyUser: idp.onlyUser, onlyCA: idp.onlyCA, unsupported: idp.name !== null || idp.reasons !== null || idp.indirect || idp.onlyAttribute };
      } else if (ext.oid === EXT.deltaCrlIndicator) {
        crl.delta = true;
        crl.unhandledCritical.push(ext.oid);
      } else if (ext.critical && !HANDLED_CRL_EXTENSIONS.has(ext.oid)) {
        crl.unhandledCritical.push(ext.oid);
      }
    }
  }
  if (entriesT) {
    // In an indirect CRL an entry's certificateIssuer applies to it and to the following entries (§5.3.3).
    let bySerial = new Map<string, RevokedEntry>();
    crl.revokedByKey.set(issuer.key, bySerial);
    for (const entry of children(der, entriesT)) {
      const [serialT, dateT, extT] = children(der, entry);
      const serialRaw = content(der, expectTag(serialT, TAG.INTEGER, "userCertificate"));
      const serialNumber = hexColon(unsignedInt(serialRaw));
      const e: RevokedEntry = { serialNumber, revocationDate: readTime(der, dateT).toISOString() };
      if (extT) {
        for (const ext of readExtensions(der, extT.start, extT.end)) {
          if (ext.oid === EXT.crlReason) e.reason = REASONS[ext.value[ext.value.length - 1]] ?? "unspecified";
          else if (ext.oid === EXT.certificateIssuer && crl.idp?.indirect) {
            const dn = children(ext.value, readTlv(ext.value, 0)).map((g) => parseGeneralName(ext.value, g)).find((g) => g.type === "dn");
            if (dn?.type === "dn") {
              const known = crl.revokedByKey.get(dn.name.key);
              if (known) bySerial = known;
              else crl.revokedByKey.set(dn.name.key, (bySerial = new Map()));
            }
          } else if (ext.critical && !HANDLED_ENTRY_EXTENSIONS.has(ext.oid)) crl.unhandledCritical.push(ext.oid);
          else if (ext.oid === EXT.certificateIssuer) crl.unhandledCritical.push(`${ext.oid} (certificateIssuer in a CRL that is not indirect)`);
        }
      }
      crl.revoked.set(serialNumber, e);
      bySerial.set(serialKeyOf(serialRaw.length, serialNumber), e);
    }
  }
  return crl;
}

/**
 * Load CRLs from PEM ("X509 CRL" blocks), DER, or bare base64. Parsed once per distinct input and shared
 * (./crl-cache): the returned ParsedCrl objects are frozen and must not be changed.
 */
export function loadCrls(input: string | Uint8Array): LoadedCrls {
  return cachedLoadCrls(input, parseCrlInput);
}

function parseCrlInput(input: string | Uint8Array): LoadedCrls {
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
