/**
 * PKCS#12 for the managed CA's backup, with PKI.js (PeculiarVentures): written by lib/pki/pkcs12 (the key in a
 * PKCS#8 shrouded bag and the certificate in an encrypted bag, both PBES2 with AES-256-CBC and PBKDF2-HMAC-SHA-256,
 * and an HMAC-SHA-256 integrity MAC — what `openssl pkcs12 -export` writes by default since OpenSSL 3), read here:
 * any PBES2 file PKI.js opens (OpenSSL 3's default output included).
 */
import { webcrypto } from "node:crypto";
import * as pkijs from "pkijs";
import { buildPkcs12 as writePkcs12 } from "../../pki/pkcs12";

pkijs.setEngine("node", new pkijs.CryptoEngine({ name: "node", crypto: webcrypto as unknown as Crypto }));

export const PKCS12_ITERATIONS = 100_000;
const OID = {
  keyBag: "1.2.840.113549.1.12.10.1.1",
  shroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
};

const ab = (u: Uint8Array): ArrayBuffer => u.buffer.slice(u.byteOffset, u.byteOffset + u.byteLength) as ArrayBuffer;

/**
 * A password-protected PKCS#12 file holding `pkcs8` (DER) and `certificateDer`, with `friendlyName`: lib/pki's writer
 * (the one the browser uses for a client's bundle, "modern" mode), with more iterations since a CA backup is kept.
 */
export const buildPkcs12 = (pkcs8: Uint8Array, certificateDer: Uint8Array, password: string, friendlyName: string): Promise<Uint8Array> =>
  writePkcs12({ privateKeyDer: pkcs8, certificates: [certificateDer], password, friendlyName, mode: "modern", iterations: PKCS12_ITERATIONS }, webcrypto as unknown as Crypto);

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
