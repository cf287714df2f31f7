/**
 * OCSP (RFC 6960) for one client certificate: the responder URL from the leaf's Authority Information Access, the
 * request (SHA-1 CertID, a nonce, RFC 8954), and the checked answer. The format is @peculiar/asn1-ocsp's; the
 * signature is checked with WebCrypto (./signature) against the issuing CA or a responder certificate that CA issued
 * for OCSP signing (§4.2.2.2). Pure: the HTTP exchange and the cache are in lib/domain/ocsp.
 */
import { AsnConvert, OctetString } from "@peculiar/asn1-schema";
import { AlgorithmIdentifier, AuthorityInfoAccessSyntax, Extension, id_pe_authorityInfoAccess } from "@peculiar/asn1-x509";
import { BasicOCSPResponse, CertID, id_pkix_ocsp, id_pkix_ocsp_basic, id_pkix_ocsp_nonce, OCSPRequest, OCSPResponse, OCSPResponseStatus, Request, TBSRequest } from "@peculiar/asn1-ocsp";
import { bytesEqual, children, readBitString, readTlv, whole } from "./der";
import { verifySignature } from "./signature";
import { parseCertificate, type ParsedCertificate } from "./x509";

const SHA1_OID = "1.3.14.3.2.26";
const HASHES: Record<string, string> = { [SHA1_OID]: "SHA-1", "2.16.840.1.101.3.4.2.1": "SHA-256", "2.16.840.1.101.3.4.2.2": "SHA-384", "2.16.840.1.101.3.4.2.3": "SHA-512" };
const OCSP_SIGNING = "1.3.6.1.5.5.7.3.9";
/** Clock skew tolerated on thisUpdate / nextUpdate, as OpenSSL's `-validity_period` default (5 minutes). */
const SKEW_MS = 5 * 60_000;

/** The http(s) OCSP responder URLs of a certificate's Authority Information Access, in order. */
export function ocspUrls(cert: ParsedCertificate): string[] {
  const ext = cert.extensions.find((e) => e.oid === id_pe_authorityInfoAccess);
  if (!ext) return [];
  try {
    const aia = AsnConvert.parse(ext.value, AuthorityInfoAccessSyntax);
    return aia.filter((d) => d.accessMethod === id_pkix_ocsp && d.accessLocation.uniformResourceIdentifier).map((d) => d.accessLocation.uniformResourceIdentifier!).filter((u) => /^https?:\/\//i.test(u));
  } catch {
    return [];
  }
}

/** The issuer's subject Name and subjectPublicKey bits as encoded (what the CertID hashes). */
function issuerParts(issuer: ParsedCertificate): { name: Uint8Array; key: Uint8Array } {
  const der = issuer.der;
  const tbs = children(der, readTlv(der, 0))[0];
  const parts = children(der, tbs);
  const i = parts[0]?.tag === 0xa0 ? 1 : 0;
  const spki = children(der, parts[i + 5]);
  return { name: whole(der, parts[i + 4]), key: readBitString(der, spki[1]).bytes };
}

const digest = async (alg: string, data: Uint8Array) => new Uint8Array(await globalThis.crypto.subtle.digest(alg, data as BufferSource));

async function certId(leaf: ParsedCertificate, issuer: ParsedCertificate, hashOid = SHA1_OID): Promise<CertID> {
  const alg = HASHES[hashOid];
  if (!alg) throw new Error(`unsupported CertID hash ${hashOid}`);
  const { name, key } = issuerParts(issuer);
  return new CertID({
    hashAlgorithm: new AlgorithmIdentifier({ algorithm: hashOid, parameters: null }),
    issuerNameHash: new OctetString(await digest(alg, name)),
    issuerKeyHash: new OctetString(await digest(alg, key)),
    // a copy: `serial` may be a view into a larger (Node Buffer) allocation, whose .buffer is all of it
    serialNumber: Uint8Array.from(leaf.serial).buffer,
  });
}

export interface OcspRequestData {
  /** DER of the OCSPRequest */
  der: Uint8Array;
  /** the nonce sent (16 random octets) */
  nonce: Uint8Array;
}

/** An OCSP request for `leaf` issued by `issuer` (both DER), with a fresh nonce. */
export async function buildOcspRequest(leafDer: Uint8Array, issuerDer: Uint8Array): Promise<OcspRequestData> {
  const leaf = parseCertificate(leafDer);
  const issuer = parseCertificate(issuerDer);
  const nonce = globalThis.crypto.getRandomValues(new Uint8Array(16));
  const req = new OCSPRequest({
    tbsRequest: new TBSRequest({
      requestList: [new Request({ reqCert: await certId(leaf, issuer) })],
      requestExtensions: [new Extension({ extnID: id_pkix_ocsp_nonce, critical: false, extnValue: new OctetString(AsnConvert.serialize(new OctetString(nonce))) })],
    }),
  });
  return { der: new Uint8Array(AsnConvert.serialize(req)), nonce };
}

export interface OcspVerdict {
  status: "good" | "revoked" | "unknown";
  thisUpdate: Date;
  nextUpdate: Date | null;
  revokedAt?: Date;
  /** the CRLReason name when given */
  reason?: string;
  /** the responder echoed the nonce (false: it sent none, which RFC 8954 allows) */
  nonceChecked: boolean;
}

const REASONS = ["unspecified", "keyCompromise", "cACompromise", "affiliationChanged", "superseded", "cessationOfOperation", "certificateHold", "", "removeFromCRL", "privilegeWithdrawn", "aACompromise"];

/** Is `cand` allowed to sign answers about certificates of `issuer` (the CA itself, or a delegated responder)? */
async function authorised(cand: ParsedCertificate, issuer: ParsedCertificate, at: Date): Promise<boolean> {
  if (bytesEqual(cand.der, issuer.der)) return true;
  if (!cand.extKeyUsage?.includes(OCSP_SIGNING)) return false;
  if (at < cand.notBefore || at > cand.notAfter) return false;
  return (await verifySignature(cand.tbs, cand.signature, cand.tbsSignatureOid, cand.signatureParams, issuer.publicKey)) === "valid";
}

/**
 * Checks an OCSP response (DER) for `leaf` issued by `issuer` at `at`: status successful, a basic response signed by
 * an authorised key, a SingleResponse for exactly this CertID that is current, and the nonce echoed when it is.
 * Throws an Error with a sentence on anything else.
 */
export async function checkOcspResponse(der: Uint8Array, leafDer: Uint8Array, issuerDer: Uint8Array, nonce: Uint8Array | null, at: Date): Promise<OcspVerdict> {
  let resp: OCSPResponse;
  try {
    resp = AsnConvert.parse(der, OCSPResponse);
  } catch {
    throw new Error("the answer is not an OCSP response");
  }
  if (resp.responseStatus !== OCSPResponseStatus.successful) throw new Error(`the responder answered "${OCSPResponseStatus[resp.responseStatus] ?? resp.responseStatus}"`);
  if (!resp.responseBytes || resp.responseBytes.responseType !== id_pkix_ocsp_basic) throw new Error("the answer is not a basic OCSP response");
  const basicDer = new Uint8Array(resp.responseBytes.response.buffer);
  const basic = AsnConvert.parse(basicDer, BasicOCSPResponse);
  const tbs = whole(basicDer, children(basicDer, readTlv(basicDer, 0))[0]);
  const leaf = parseCertificate(leafDer);
  const issuer = parseCertificate(issuerDer);
  const sigOid = basic.signatureAlgorithm.algorithm;
  const sigParams = basic.signatureAlgorithm.parameters ? new Uint8Array(basic.signatureAlgorithm.parameters) : null;
  const candidates = [issuer, ...(basic.certs ?? []).map((c) => parseCertificate(new Uint8Array(AsnConvert.serialize(c))))];
  let signed = false;
  for (const cand of candidates) {
    if ((await verifySignature(tbs, new Uint8Array(basic.signature), sigOid, sigParams, cand.publicKey)) !== "valid") continue;
    if (await authorised(cand, issuer, at)) {
      signed = true;
      break;
    }
  }
  if (!signed) throw new Error("the answer is not signed by the issuing CA or a responder it authorised");
  const data = basic.tbsResponseData;
  let single = null;
  for (const r of data.responses) {
    const want = await certId(leaf, issuer, r.certID.hashAlgorithm.algorithm).catch(() => null);
    if (
      want &&
      bytesEqual(new Uint8Array(r.certID.serialNumber), new Uint8Array(want.serialNumber)) &&
      bytesEqual(new Uint8Array(r.certID.issuerNameHash.buffer), new Uint8Array(want.issuerNameHash.buffer)) &&
      bytesEqual(new Uint8Array(r.certID.issuerKeyHash.buffer), new Uint8Array(want.issuerKeyHash.buffer))
    ) {
      single = r;
      break;
    }
  }
  if (!single) throw new Error("the answer does not speak about this certificate");
  if (single.thisUpdate.getTime() > at.getTime() + SKEW_MS) throw new Error(`the answer is not valid yet (thisUpdate ${single.thisUpdate.toISOString()})`);
  if (single.nextUpdate && single.nextUpdate.getTime() < at.getTime() - SKEW_MS) throw new Error(`the answer is out of date (nextUpdate ${single.nextUpdate.toISOString()})`);
  const echoed = data.responseExtensions?.find((e) => e.extnID === id_pkix_ocsp_nonce);
  if (echoed && nonce) {
    const value = new Uint8Array(echoed.extnValue.buffer);
    // RFC 8954 wraps the nonce in an OCTET STRING; some responders send it bare.
    const inner = value[0] === 0x04 ? value.subarray(2) : value;
    if (!bytesEqual(inner, nonce) && !bytesEqual(value, nonce)) throw new Error("the answer's nonce is not the one sent (a replayed answer?)");
  }
  const base = { thisUpdate: single.thisUpdate, nextUpdate: single.nextUpdate ?? null, nonceChecked: !!(echoed && nonce) };
  const st = single.certStatus;
  if (st.revoked) return { ...base, status: "revoked", revokedAt: st.revoked.revocationTime, ...(st.revoked.revocationReason !== undefined ? { reason: REASONS[Number(st.revoked.revocationReason)] || String(st.revoked.revocationReason) } : {}) };
  if (st.good !== undefined) return { ...base, status: "good" };
  return { ...base, status: "unknown" };
}
