/**
 * A PKCS#12 (.p12 / .pfx) file holding a private key, its certificate and the chain, protected by a password the
 * admin types. Built where the key is (the browser, for keys generated on the Client certificates page) with
 * pkijs, which writes the PFX structures and does the password-based encryption and the MAC over WebCrypto.
 *
 * - **modern**: key and certificates encrypted with AES-256-CBC, keys derived with PBKDF2/HMAC-SHA-256, MAC with
 *   HMAC-SHA-256 (what `openssl pkcs12 -export` writes by default since OpenSSL 3).
 * - **legacy**: for devices that predate PBES2 (older Windows, macOS and Android keystores): key encrypted with
 *   pbeWithSHAAnd3-KeyTripleDES-CBC, certificates in clear (they are public), MAC with HMAC-SHA-1. WebCrypto and
 *   pkijs have no Triple DES, so node-forge encrypts the key; pkijs still assembles the file.
 */
import * as asn1js from "asn1js";
import forge from "node-forge";
import { AuthenticatedSafe, Attribute, CertBag, Certificate, PFX, PKCS8ShroudedKeyBag, PrivateKeyInfo, SafeBag, SafeContents } from "pkijs";

export type Pkcs12Mode = "modern" | "legacy";

const OID = {
  pkcs8ShroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
};

/** OpenSSL's default (PKCS12_DEFAULT_ITER); every reader copes with it, including the slow ones on old devices. */
const ITERATIONS = 2048;

/** pkijs draws a random IV for each encryption; its parameter type asks for one anyway. */
const AES_256_CBC = { name: "AES-CBC", length: 256 } as AesCbcParams & AesDerivedKeyParams;

export const MIN_PKCS12_PASSWORD = 8;

export interface Pkcs12Input {
  /** PKCS#8 PrivateKeyInfo, DER. */
  privateKeyDer: Uint8Array;
  /** DER certificates, the key's own first, then its chain. */
  certificates: Uint8Array[];
  password: string;
  mode?: Pkcs12Mode;
  /** Shown by keystores as the entry's name. */
  friendlyName?: string;
  /** PBKDF2 and MAC iterations (default 2048, OpenSSL's); a backup kept on disk (the managed CA's) takes more. */
  iterations?: number;
}

/** A refusal of the password in words a form can show next to the field; null when fine. */
export function pkcs12PasswordProblem(password: string): string | null {
  if (password.length < MIN_PKCS12_PASSWORD) return `The PKCS#12 password must be at least ${MIN_PKCS12_PASSWORD} characters.`;
  return null;
}

const buffer = (bytes: Uint8Array): ArrayBuffer => bytes.slice().buffer;

function bagAttributes(localKeyId: ArrayBuffer, friendlyName: string | undefined): Attribute[] {
  const attributes = [new Attribute({ type: OID.localKeyId, values: [new asn1js.OctetString({ valueHex: localKeyId })] })];
  if (friendlyName) attributes.push(new Attribute({ type: OID.friendlyName, values: [new asn1js.BmpString({ value: friendlyName })] }));
  return attributes;
}

/** The key's bag: encrypted with PBES2 (modern) by pkijs, or with PKCS#12 Triple DES (legacy) by node-forge. */
async function keyBag(input: Pkcs12Input, passwordBytes: ArrayBuffer, attributes: Attribute[]): Promise<SafeBag> {
  const iterations = input.iterations ?? ITERATIONS;
  let bagValue: PKCS8ShroudedKeyBag;
  if (input.mode === "legacy") {
    const keyInfo = forge.asn1.fromDer(forge.util.binary.raw.encode(input.privateKeyDer));
    const encrypted = forge.pki.encryptPrivateKeyInfo(keyInfo, input.password, { algorithm: "3des", count: iterations, saltSize: 8 });
    bagValue = PKCS8ShroudedKeyBag.fromBER(buffer(forge.util.binary.raw.decode(forge.asn1.toDer(encrypted).getBytes())));
  } else {
    bagValue = new PKCS8ShroudedKeyBag({ parsedValue: PrivateKeyInfo.fromBER(buffer(input.privateKeyDer)) });
    await bagValue.makeInternalValues({
      password: passwordBytes,
      contentEncryptionAlgorithm: AES_256_CBC,
      hmacHashAlgorithm: "SHA-256",
      iterationCount: iterations,
    });
  }
  return new SafeBag({ bagId: OID.pkcs8ShroudedKeyBag, bagValue, bagAttributes: attributes });
}

/** Builds the PKCS#12 file (DER). Throws on a password that is too short or a certificate that does not parse. */
export async function buildPkcs12(input: Pkcs12Input, crypto: Crypto = globalThis.crypto): Promise<Uint8Array> {
  const problem = pkcs12PasswordProblem(input.password);
  if (problem) throw new Error(problem);
  if (input.certificates.length === 0) throw new Error("A PKCS#12 file needs the key's certificate.");
  const legacy = input.mode === "legacy";
  const iterations = input.iterations ?? ITERATIONS;
  const passwordBytes = buffer(new TextEncoder().encode(input.password));
  // Pairs the key with its certificate for the importer, the way OpenSSL does: the certificate's SHA-1.
  const localKeyId = await crypto.subtle.digest("SHA-1", buffer(input.certificates[0]));
  const certBags = input.certificates.map(
    (der, i) =>
      new SafeBag({
        bagId: OID.certBag,
        bagValue: new CertBag({ certId: OID.x509Certificate, parsedValue: Certificate.fromBER(buffer(der)) }),
        bagAttributes: i === 0 ? bagAttributes(localKeyId, input.friendlyName) : undefined,
      }),
  );
  const key = await keyBag(input, passwordBytes, bagAttributes(localKeyId, input.friendlyName));

  const authenticatedSafe = new AuthenticatedSafe({
    parsedValue: {
      safeContents: [
        { privacyMode: legacy ? 0 : 1, value: new SafeContents({ safeBags: certBags }) },
        { privacyMode: 0, value: new SafeContents({ safeBags: [key] }) },
      ],
    },
  });
  await authenticatedSafe.makeInternalValues({
    safeContents: [
      legacy
        ? {}
        : { password: passwordBytes, contentEncryptionAlgorithm: AES_256_CBC, hmacHashAlgorithm: "SHA-256", iterationCount: iterations },
      {},
    ],
  });

  const pfx = new PFX({ parsedValue: { integrityMode: 0, authenticatedSafe } });
  await pfx.makeInternalValues({
    password: passwordBytes,
    iterations,
    pbkdf2HashAlgorithm: { name: legacy ? "SHA-1" : "SHA-256" },
    hmacHashAlgorithm: legacy ? "SHA-1" : "SHA-256",
  });
  return new Uint8Array(pfx.toSchema().toBER(false));
}
