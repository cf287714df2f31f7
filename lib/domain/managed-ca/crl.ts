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
  TBSCertList,
  Time,
  Version,
} from "@peculiar/asn1-x509";
import * as x509 from "@peculiar/x509";
import * as asn1js from "asn1js";
import { webcrypto } from "node:crypto";
import { eq, inArray, sql } from "drizzle-orm";
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
  const { revoked, pending } = await revokedOf(tx, caId, now);
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
    entries: revoked,
  });
  const chain = row.chain as { subject: string; subjectCN: string | null }[];
  const summary: CrlSummary & { signedBy: { index: number; subject: string; subjectCN: string | null } } = {
    issuer: chain[0]?.subject ?? caCert.subject,
    issuerCN: chain[0]?.subjectCN ?? null,
    thisUpdate: now.toISOString(),
    nextUpdate: nextUpdate.toISOString(),
    revoked_count: revoked.length,
    revoked: revoked.slice(0, MAX_SUMMARY_ENTRIES).map((r) => ({ serialNumber: colonHex(r.serial), revocationDate: r.at.toISOString() })),
    signedBy: { index: 0, subject: chain[0]?.subject ?? caCert.subject, subjectCN: chain[0]?.subjectCN ?? null },
  };
  await tx
    .update(mtlsCertificates)
    .set({ crlPem: toPem(der, "X509 CRL"), crl: summary, version: row.version + 1, updatedAt: now })
    .where(eq(mtlsCertificates.id, caId));
  await tx.update(managedCas).set({ crlNumber, crlIssuedAt: now }).where(eq(managedCas.id, caId));
  if (pending.length) {
    await tx.update(clientCertificates).set({ status: "revoked", updatedAt: now }).where(inArray(clientCertificates.id, pending));
  }
  return { crlNumber, revokedCount: revoked.length };
}

/**
 * The CA's revoked (and pending revocation) certificates, oldest revocation first, and the ids of the pending ones.
 * Aggregated by the database into one row: 10,000 rows read one by one cost more than the rest of the CRL (each row
 * parsed by the driver and mapped by drizzle, a Date made per timestamp), and the CRL needs only serial and date.
 */
async function revokedOf(tx: Tx, caId: string, now: Date): Promise<{ revoked: { serial: string; at: Date }[]; pending: string[] }> {
  const c = clientCertificates;
  const rows = await tx
    .select({
      list: sql<string | null>`string_agg(${c.serialNumber} || ' ' || coalesce((extract(epoch from ${c.revokedAt}) * 1000)::bigint::text, ''), ',' order by ${c.revokedAt} nulls last)`,
      pending: sql<string[] | null>`array_agg(${c.id}::text) filter (where ${c.status} = 'pending_revocation')`,
    })
    .from(c)
    .where(sql`${c.managedCaId} = ${caId} and ${inArray(c.status, ["revoked", "pending_revocation"])}`);
  const list = rows[0]?.list;
  const revoked = list
    ? list.split(",").map((e) => {
        const i = e.indexOf(" ");
        const ms = e.slice(i + 1);
        return { serial: e.slice(0, i), at: ms ? new Date(Number(ms)) : now };
      })
    : [];
  return { revoked, pending: rows[0]?.pending ?? [] };
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
    // asn1js directly (what the schema's RevokedCertificate serialises to, without its per-field schema walk: the
    // first CRL of a process encodes every entry). Time as RFC 5280 and Time(date) choose it: UTCTime before 2050,
    // whole seconds.
    const when = new Date(Math.floor(at.getTime() / 1000) * 1000);
    const time = when.getUTCFullYear() < 2050 ? new asn1js.UTCTime({ valueDate: when }) : new asn1js.GeneralizedTime({ valueDate: when });
    der = new Uint8Array(new asn1js.Sequence({ value: [new asn1js.Integer({ valueHex: new Uint8Array(bytes) }), time] }).toBER(false));
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
  // The entries are concatenated into one buffer that asn1js frames as the SEQUENCE's content (one child instead of
  // 10,000 for it to walk, size and copy twice).
  if (o.entries.length) {
    const body = Buffer.concat(o.entries.map((e) => entryDer(e.serial, e.at)));
    tbsAsn.valueBlock.value.splice(5, 0, new asn1js.Sequence({ value: [new Encoded({ data: body })] as unknown as asn1js.AsnType[] }));
  }
  const tbsDer = tbsAsn.toBER(false);
  const alg = signingAlgorithm(o.keyType);
  const raw = await (webcrypto.subtle as unknown as SubtleCrypto).sign(alg, o.signingKey, tbsDer);
  const signature = o.keyType === "ecdsa-p256" ? new x509.AsnEcSignatureFormatter().toAsnSignature({ ...alg, namedCurve: "P-256" } as unknown as Algorithm, raw)! : raw;
  // The TBS as signed, not encoded a second time.
  const list = new asn1js.Sequence({ value: [new Encoded({ data: new Uint8Array(tbsDer) }), AsnSerializer.toASN(signatureAlgorithmId(o.keyType)), new asn1js.BitString({ valueHex: signature })] as unknown as asn1js.AsnType[] });
  return new Uint8Array(list.toBER(false));
}
