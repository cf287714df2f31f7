/**
 * The managed CA's CRL: regenerated on every revocation and reactivation and re-issued daily (nextUpdate 7 days),
 * signed by the CA (`signCrl`: @peculiar/asn1-x509's schema, WebCrypto). It is stored on the CA's mtls_certificates row (crl_pem +
 * summary, version bumped), which is exactly what an uploaded CRL does: the gateway's configuration watch, Test
 * mTLS and the nginx export pick it up with no code of their own, and the gateway refuses a revoked certificate
 * within a second.
 */
import { AsnConvert, AsnSerializer, OctetString } from "@peculiar/asn1-schema";
import {
  AlgorithmIdentifier,
  AuthorityKeyIdentifier,
  CRLNumber,
  Extension,
  id_ce_authorityKeyIdentifier,
  id_ce_cRLNumber,
  KeyIdentifier,
  Name,
  RevokedCertificate,
  TBSCertList,
  Time,
  Version,
} from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import { webcrypto } from "node:crypto";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Tx } from "../../db/client";
import { clientCertificates, managedCas, mtlsCertificates } from "../../db/schema";
import { toPem } from "../../pki/pem";
import type { CrlSummary } from "../certificates/queries";
import { signingAlgorithm, signingKeyFor, type CaKeyType } from "./keys";

export const CRL_NEXT_UPDATE_DAYS = 7;
/** A CRL older than this is re-issued by the daily job. */
export const CRL_REISSUE_AFTER_MS = 24 * 3_600_000;
const DAY = 86_400_000;
const MAX_SUMMARY_ENTRIES = 1000;

/** "0a1b…" → "0A:1B:…" as lib/pki reports serials. */
export const colonHex = (hex: string) => (hex.length % 2 ? `0${hex}` : hex).toUpperCase().match(/../g)!.join(":");

/**
 * Signs and stores a new CRL for managed CA `caId` listing every revoked (or pending revocation) certificate it
 * issued, then marks the pending ones revoked. Runs inside the caller's transaction; locks the CA row so CRL numbers
 * stay monotonic under concurrent revocations.
 */
export async function regenerateCrl(tx: Tx, caId: string, now = new Date()): Promise<{ crlNumber: number; revokedCount: number }> {
  const [ca] = await tx.select().from(managedCas).where(eq(managedCas.id, caId)).for("update");
  if (!ca) throw new Error(`managed CA ${caId} not found`);
  const [row] = await tx
    .select({ pem: mtlsCertificates.certificatePem, version: mtlsCertificates.version, chain: mtlsCertificates.chain })
    .from(mtlsCertificates)
    .where(eq(mtlsCertificates.id, caId));
  const revoked = await tx
    .select({ id: clientCertificates.id, serial: clientCertificates.serialNumber, at: clientCertificates.revokedAt, status: clientCertificates.status })
    .from(clientCertificates)
    .where(and(eq(clientCertificates.managedCaId, caId), inArray(clientCertificates.status, ["revoked", "pending_revocation"])))
    .orderBy(asc(clientCertificates.revokedAt));
  const caCert = new x509.X509Certificate(row.pem);
  const crlNumber = ca.crlNumber + 1;
  const nextUpdate = new Date(now.getTime() + CRL_NEXT_UPDATE_DAYS * DAY);
  const der = await signCrl({
    caCert,
    keyType: ca.keyType as CaKeyType,
    signingKey: await signingKeyFor(ca.id, ca.sealedKey, ca.keyType as CaKeyType),
    crlNumber,
    thisUpdate: now,
    nextUpdate,
    entries: revoked.map((r) => ({ serial: r.serial, at: r.at ?? now })),
  });
  const chain = row.chain as { subject: string; subjectCN: string | null }[];
  const summary: CrlSummary & { signedBy: { index: number; subject: string; subjectCN: string | null } } = {
    issuer: chain[0]?.subject ?? caCert.subject,
    issuerCN: chain[0]?.subjectCN ?? null,
    thisUpdate: now.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    revoked_count: revoked.length,
    revoked: revoked.slice(0, MAX_SUMMARY_ENTRIES).map((r) => ({ serialNumber: colonHex(r.serial), revocationDate: (r.at ?? now).toISOString() })),
    signedBy: { index: 0, subject: chain[0]?.subject ?? caCert.subject, subjectCN: chain[0]?.subjectCN ?? null },
  };
  await tx
    .update(mtlsCertificates)
    .set({ crlPem: toPem(der, "X509 CRL"), crl: summary, version: row.version + 1, updatedAt: now })
    .where(eq(mtlsCertificates.id, caId));
  await tx.update(managedCas).set({ crlNumber, crlIssuedAt: now }).where(eq(managedCas.id, caId));
  const pending = revoked.filter((r) => r.status === "pending_revocation").map((r) => r.id);
  if (pending.length) {
    await tx.update(clientCertificates).set({ status: "revoked", updatedAt: now }).where(inArray(clientCertificates.id, pending));
  }
  return { crlNumber, revokedCount: revoked.length };
}

/**
 * An element already encoded by the schema, placed as it is inside an asn1js SEQUENCE (asn1js's own RawData returns
 * its bytes but does not write them into the parent's writer, which is how a SEQUENCE collects its elements).
 */
class Encoded extends asn1js.RawData {
  override toBER(sizeOnly?: boolean, writer?: { write(buf: ArrayBuffer): void }): ArrayBuffer {
    const buf = super.toBER(sizeOnly);
    if (!writer) return buf;
    writer.write(buf);
    return new ArrayBuffer(0);
  }
}

/** DER of one revokedCertificates entry, by serial and date (bounded; cleared when it outgrows every CRL). */
const entries = new Map<string, Uint8Array>();
function entryDer(serial: string, at: Date): Uint8Array {
  const key = `${serial}|${at.getTime()}`;
  let der = entries.get(key);
  if (!der) {
    if (entries.size >= 500_000) entries.clear();
    const bytes = Buffer.from(serial.length % 2 ? `0${serial}` : serial, "hex");
    der = new Uint8Array(AsnConvert.serialize(new RevokedCertificate({ userCertificate: new Uint8Array(bytes).buffer, revocationDate: new Time(at) })));
    entries.set(key, der);
  }
  return der;
}

const SIGNATURE_OIDS: Record<CaKeyType, string> = {
  "ecdsa-p256": "1.2.840.10045.4.3.2", // ecdsa-with-SHA256 (no parameters)
  "rsa-2048": "1.2.840.113549.1.1.11", // sha256WithRSAEncryption (NULL parameters)
  "rsa-4096": "1.2.840.113549.1.1.11",
};

const signatureAlgorithmId = (type: CaKeyType) =>
  new AlgorithmIdentifier({ algorithm: SIGNATURE_OIDS[type], parameters: type === "ecdsa-p256" ? undefined : new asn1js.Null().toBER(false) });

/**
 * Signs a CRL (RFC 5280 v2, CRL Number and Authority Key Identifier). Built with @peculiar/asn1-x509's schema and
 * encoded once: @peculiar/x509's CRL generator encodes the list three times (to sign, to assemble, and parsing it back
 * into an object), about 3 times slower, and 10,000 entries took it several seconds on a busy 2-core machine.
 */
export async function signCrl(o: {
  caCert: x509.X509Certificate;
  keyType: CaKeyType;
  signingKey: CryptoKey;
  crlNumber: number;
  thisUpdate: Date;
  nextUpdate: Date;
  entries: { serial: string; at: Date }[];
}): Promise<Uint8Array> {
  const ski = o.caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const extensions = [new Extension({ extnID: id_ce_cRLNumber, critical: false, extnValue: new OctetString(AsnConvert.serialize(new CRLNumber(o.crlNumber))) })];
  if (ski) {
    const aki = new AuthorityKeyIdentifier({ keyIdentifier: new KeyIdentifier(new Uint8Array(Buffer.from(ski, "hex"))) });
    extensions.push(new Extension({ extnID: id_ce_authorityKeyIdentifier, critical: false, extnValue: new OctetString(AsnConvert.serialize(aki)) }));
  }
  const tbs = new TBSCertList({
    version: Version.v2,
    signature: signatureAlgorithmId(o.keyType),
    issuer: AsnConvert.parse(o.caCert.subjectName.toArrayBuffer(), Name),
    thisUpdate: new Time(o.thisUpdate),
    nextUpdate: new Time(o.nextUpdate),
    crlExtensions: extensions,
  });
  const tbsAsn = AsnSerializer.toASN(tbs) as asn1js.Sequence;
  // revokedCertificates sits after nextUpdate (index 5): each entry encoded once by the schema and kept, so a new CRL
  // costs the new entry plus concatenation, not 10,000 encodings.
  if (o.entries.length) tbsAsn.valueBlock.value.splice(5, 0, new asn1js.Sequence({ value: o.entries.map((e) => new Encoded({ data: entryDer(e.serial, e.at) })) as unknown as asn1js.AsnType[] }));
  const tbsDer = tbsAsn.toBER(false);
  const alg = signingAlgorithm(o.keyType);
  const raw = await (webcrypto.subtle as unknown as SubtleCrypto).sign(alg, o.signingKey, tbsDer);
  const signature = o.keyType === "ecdsa-p256" ? new x509.AsnEcSignatureFormatter().toAsnSignature({ ...alg, namedCurve: "P-256" } as unknown as Algorithm, raw)! : raw;
  const list = new asn1js.Sequence({ value: [tbsAsn, AsnSerializer.toASN(signatureAlgorithmId(o.keyType)), new asn1js.BitString({ valueHex: signature })] });
  return new Uint8Array(list.toBER(false));
}
