/**
 * CRL Distribution Points (RFC 5280 §4.2.1.13) and Issuing Distribution Point (§5.2.5): parsing, and the scope
 * rules of §6.3.3 (b) that decide whether a CRL may be used for a certificate at all.
 */
import { children, content, decodeString, readBitString, readBoolean, readOid, readTlv, type Tlv } from "./der";
import { canonValue, parseGeneralName, type GeneralName, type ParsedName } from "./names";

/** Reason flags bit mask (bit 1 = keyCompromise … bit 8 = aACompromise); bit 0 (unused) is never set. */
export const ALL_REASONS = 0x1fe;

export interface DistributionPointName {
  fullName: GeneralName[] | null;
  /** nameRelativeToCRLIssuer, as the RDN's canonical key ("oid=value+…"). */
  relative: string | null;
}

export interface DistributionPoint {
  name: DistributionPointName | null;
  /** Reason mask, or null when the DP covers every reason. */
  reasons: number | null;
  /** cRLIssuer names (indirect CRLs), or null. */
  crlIssuer: GeneralName[] | null;
}

export interface IssuingDistributionPoint {
  name: DistributionPointName | null;
  onlyUser: boolean;
  onlyCA: boolean;
  onlyAttribute: boolean;
  /** onlySomeReasons mask, or null (every reason). */
  reasons: number | null;
  indirect: boolean;
}

function reasonMask(buf: Uint8Array, t: Tlv): number {
  const { bytes } = readBitString(buf, { ...t, tag: 0x03 });
  let mask = 0;
  for (let bit = 0; bit < 9; bit++) if ((bytes[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) mask |= 1 << bit;
  return mask & ALL_REASONS;
}

function dpName(buf: Uint8Array, t: Tlv): DistributionPointName {
  // DistributionPointName is a CHOICE inside an EXPLICIT [0]: [0] fullName (GeneralNames) or [1] RDN (its ATAVs).
  const inner = readTlv(buf, t.contentStart, t.end);
  if ((inner.tag & 0x1f) === 0) return { fullName: children(buf, inner).map((g) => parseGeneralName(buf, g)), relative: null };
  const rdn = children(buf, inner).map((atav) => {
    const [typ, val] = children(buf, atav);
    return { oid: readOid(buf, typ), value: decodeString(val.tag, content(buf, val)) };
  });
  return { fullName: null, relative: rdnKeyOf(rdn) };
}

function rdnKeyOf(rdn: { oid: string; value: string }[]): string {
  return rdn
    .map((a) => `${a.oid}=${canonValue(a.value)}`)
    .sort()
    .join("+");
}

/** Parse the value of a cRLDistributionPoints extension. */
export function parseCrlDistributionPoints(v: Uint8Array): DistributionPoint[] {
  return children(v, readTlv(v, 0)).map((dp) => {
    const out: DistributionPoint = { name: null, reasons: null, crlIssuer: null };
    for (const f of children(v, dp)) {
      const n = f.tag & 0x1f;
      if (n === 0) out.name = dpName(v, f);
      else if (n === 1) out.reasons = reasonMask(v, f);
      else if (n === 2) out.crlIssuer = children(v, f).map((g) => parseGeneralName(v, g));
    }
    return out;
  });
}

/** Parse the value of an issuingDistributionPoint CRL extension. */
export function parseIssuingDistributionPoint(v: Uint8Array): IssuingDistributionPoint {
  const idp: IssuingDistributionPoint = { name: null, onlyUser: false, onlyCA: false, onlyAttribute: false, reasons: null, indirect: false };
  for (const f of children(v, readTlv(v, 0))) {
    const n = f.tag & 0x1f;
    const on = () => readBoolean(v, { ...f, tag: 0x01 });
    if (n === 0) idp.name = dpName(v, f);
    else if (n === 1) idp.onlyUser = on();
    else if (n === 2) idp.onlyCA = on();
    else if (n === 3) idp.reasons = reasonMask(v, f);
    else if (n === 4) idp.indirect = on();
    else if (n === 5) idp.onlyAttribute = on();
  }
  return idp;
}

/** The general names a distribution point name stands for (a relative name is appended to the CRL issuer's DN). */
function namesOf(name: DistributionPointName, crlIssuer: ParsedName): string[] {
  if (name.fullName) return name.fullName.map(generalNameKey);
  return [`dn:${crlIssuer.key}/${name.relative}`];
}

export function generalNameKey(g: GeneralName): string {
  if (g.type === "dn") return `dn:${g.name.key}`;
  if (g.type === "dns" || g.type === "email") return `${g.type}:${g.value.toLowerCase()}`;
  return `${g.type}:${g.value}`;
}

/**
 * §6.3.3 (b)(2)(i): one of the IDP's names must be one of the DP's distribution point names or, when the DP has no
 * distribution point name, one of its cRLIssuer names.
 */
export function dpNamesMatch(idpName: DistributionPointName, dp: DistributionPoint, crlIssuer: ParsedName, certIssuer: ParsedName): boolean {
  const dpIssuer = dp.crlIssuer?.find((g) => g.type === "dn");
  const theirs = new Set(dp.name ? namesOf(dp.name, dpIssuer?.type === "dn" ? dpIssuer.name : certIssuer) : (dp.crlIssuer ?? []).map(generalNameKey));
  return namesOf(idpName, crlIssuer).some((n) => theirs.has(n));
}

/** Does `crlIssuer` appear among a distribution point's cRLIssuer names? */
export function namesCrlIssuer(dp: DistributionPoint, crlIssuer: ParsedName): boolean {
  return (dp.crlIssuer ?? []).some((g) => g.type === "dn" && g.name.key === crlIssuer.key);
}

/** What `crlScopeOf` needs of a CRL (a ParsedCrl). */
export interface ScopedCrl {
  issuer: ParsedName;
  idp: IssuingDistributionPoint | null;
}

/** What `crlScopeOf` needs of a certificate (a ParsedCertificate). */
export interface ScopedCertificate {
  issuer: ParsedName;
  basicConstraints: { ca: boolean } | null;
  crlDistributionPoints: DistributionPoint[] | null;
}

/**
 * The reasons (mask) for which `crl` speaks for `cert` — 0 when it does not cover the certificate at all
 * (RFC 5280 §6.3.3 (b): issuer or cRLIssuer, distribution point names, user/CA/attribute scope, reasons).
 */
export function crlScopeOf(crl: ScopedCrl, cert: ScopedCertificate): number {
  const idp = crl.idp;
  const direct = crl.issuer.key === cert.issuer.key;
  const isCa = cert.basicConstraints?.ca === true;
  if (idp && (idp.onlyAttribute || (idp.onlyUser && isCa) || (idp.onlyCA && !isCa))) return 0;
  const idpReasons = idp?.reasons ?? ALL_REASONS;
  const dps = cert.crlDistributionPoints;
  if (!dps?.length) return direct && !idp?.name ? idpReasons : 0;
  let mask = 0;
  for (const dp of dps) {
    // (b)(1): a DP with cRLIssuer is served by an indirect CRL from that issuer; one without by the certificate's issuer.
    if (dp.crlIssuer ? !(idp?.indirect && namesCrlIssuer(dp, crl.issuer)) : !direct) continue;
    if (idp?.name && !dpNamesMatch(idp.name, dp, crl.issuer, cert.issuer)) continue;
    mask |= (dp.reasons ?? ALL_REASONS) & idpReasons;
  }
  return mask;
}

/** Reason names of a mask, for messages. */
export function reasonNames(mask: number): string[] {
  const names = ["unused", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "privilegeWithdrawn", "aACompromise"];
  return names.filter((_, bit) => mask & (1 << bit));
}
