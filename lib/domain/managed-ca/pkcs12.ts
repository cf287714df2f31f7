/**
 * PKCS#12 for the managed CA's backup, with PKI.js (PeculiarVentures; the same library the browser uses for a
 * client's bundle): the key in a PKCS#8 shrouded bag and the certificate in an encrypted bag, both PBES2 with
 * AES-256-CBC and PBKDF2-HMAC-SHA-256, and an HMAC-SHA-256 integrity MAC — what `openssl pkcs12 -export` writes by
 * default since OpenSSL 3. Reading accepts any PBES2 file PKI.js opens (OpenSSL 3's default output included).
 */
import { createHash, webcrypto } from "node:crypto";
import * as asn1js from "asn1js";
import * as pkijs from "pkijs";

pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto as unknown as Crypto }));

export const PKCS12_ITERATIONS = 100_000;
const OID = {
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  localKeyId: "1.2.840.113549.1.9.21",
  friendlyName: "1.2.840.113549.1.9.20",
};

const ab = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

/** A password-protected PKCS#12 file holding `pkcs8` (DER) and `certificateDer`, with `friendlyName`. */
export async function buildPkcs12(pkcs8: Uint8Array, certificateDer: Uint8Array, password: string, friendlyName: string): Promise<Uint8Array> {
  const pw = ab(new TextEncoder().encode(password));
  const keyId = createHash("sha1").update(certificateDer).digest();
  const attributes = () => [
    new pkijs.Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: ab(keyId) })] }),
    new pkijs.Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: friendlyName })] }),
  ];
  const keyBag = new pkijs.PKCS8ShroudedKeyBag({ parsedValue: pkijs.PrivateKeyInfo.fromBER(ab(pkcs8)) });
  const certBag = new pkijs.CertBag({ parsedValue: pkijs.Certificate.fromBER(ab(certificateDer)) });
  const pbes2: Parameters<pkijs.PKCS8ShroudedKeyBag["makeInternalValues"]>[0] = { password: pw, // PKI.js draws the IV itself; its typing still asks for one.
    contentEncryptionAlgorithm: { name: "AES-CBC", length: 256 } as unknown as pkijs.ContentEncryptionAlgorithm, hmacHashAlgorithm: "SHA-256", iterationCount: PKCS12_ITERATIONS };
  await keyBag.makeInternalValues(pbes2);
  const safe = new pkijs.AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: 0, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: OID.shroudedKeyBag, bagValue: keyBag, bagAttributes: attributes() })] }) },
        { privacyMode: 1, value: new pkijs.SafeContents({ safeBags: [new pkijs.SafeBag({ bagId: OID.certBag, bagValue: certBag, bagAttributes: attributes() })] }) },
      ],
    },
  });
  await safe.makeInternalValues({ safeContents: [{}, pbes2] });
  const pfx = new pkijs.PFX({ parsedValue: { integrityMode: 0, authenticatedSafe: safe } });
  await pfx.makeInternalValues({ password: pw, iterations: PKCS12_ITERATIONS, pbkdf2HashAlgorithm: "SHA-256", hmacHashAlgorithm: "SHA-256" });
  return new Uint8Array(pfx.toSchema().toBER(false));
}

/** Why a file could not be read, as a sentence for the form. */
export class Pkcs12Error extends Error {}

/** The private keys (PKCS#8 DER) and certificates (DER) in a PKCS#12 file. */
export async function readPkcs12(bytes: Uint8Array, password: string): Promise<{ keys: Uint8Array[]; certificates: Uint8Array[] }> {
  const pw = ab(new TextEncoder().encode(password));
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(ab(bytes));
  } catch {
    throw new Pkcs12Error("This file is not a PKCS#12 (.p12 / .pfx) file.");
  }
  try {
    await pfx.parseInternalValues({ password: pw, checkIntegrity: true });
  } catch {
    throw new Pkcs12Error("The password is wrong, or the PKCS#12 file is damaged.");
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw new Pkcs12Error("The PKCS#12 file holds nothing Portcullis can read (no password-protected contents).");
  const keys: Uint8Array[] = [];
  const certificates: Uint8Array[] = [];
  try {
    await safe.parseInternalValues({ safeContents: safe.safeContents.map(() => ({ password: pw })) });
    for (const contents of safe.parsedValue?.safeContents ?? []) {
      for (const bag of (contents.value as pkijs.SafeContents).safeBags) {
        if (bag.bagId === OID.shroudedKeyBag) {
          const shrouded = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
          // PKI.js leaves this step to the caller (as in its own PKCS#12 example); it is protected only in the typings.
          await (shrouded as unknown as { parseInternalValues(p: { password: ArrayBuffer }): Promise<void> }).parseInternalValues({ password: pw });
          if (shrouded.parsedValue) keys.push(new Uint8Array(shrouded.parsedValue.toSchema().toBER(false)));
        } else if (bag.bagId === OID.keyBag) {
          keys.push(new Uint8Array((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
        } else if (bag.bagId === OID.certBag) {
          const cert = (bag.bagValue as pkijs.CertBag).parsedValue;
          if (cert instanceof pkijs.Certificate) certificates.push(new Uint8Array(cert.toSchema().toBER(false)));
        }
      }
    }
  } catch (e) {
    if (e instanceof Pkcs12Error) throw e;
    throw new Pkcs12Error("The PKCS#12 file could not be decrypted: it uses an encryption Portcullis does not read (re-export it with AES-256), or it is damaged.");
  }
  return { keys, certificates };
}
