/**
 * A key pair and its certificate signing request, made with WebCrypto where the key is to live (the admin's
 * browser on the Client certificates page): only the CSR is ever sent to the server. @peculiar/x509 writes the
 * PKCS#10 structure, so no ASN.1 is assembled here.
 */
import "reflect-metadata"; // @peculiar/x509's dependency injection (tsyringe) needs the Reflect metadata API
import { Pkcs10CertificateRequestGenerator } from "@peculiar/x509";
import { toPem } from "./pem";

export const KEY_CHOICES = [
  { value: "ecdsa-p256", label: "ECDSA P-256" },
  { value: "rsa-2048", label: "RSA 2048" },
] as const;
export type KeyChoice = (typeof KEY_CHOICES)[number]["value"];
export const DEFAULT_KEY_CHOICE: KeyChoice = "ecdsa-p256";

/** Longest Common Name RFC 5280 allows (ub-common-name). */
export const MAX_COMMON_NAME = 64;

export interface GeneratedKey {
  csrPem: string;
  /** PKCS#8 PrivateKeyInfo, DER: what the PKCS#12 bundle carries. */
  privateKeyDer: Uint8Array;
  privateKeyPem: string;
}

const ALGORITHMS: Record<KeyChoice, { key: RsaHashedKeyGenParams | EcKeyGenParams; sign: Algorithm | EcdsaParams }> = {
  "ecdsa-p256": { key: { name: "ECDSA", namedCurve: "P-256" }, sign: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams },
  "rsa-2048": {
    key: { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    sign: { name: "RSASSA-PKCS1-v1_5" },
  },
};

/** A refusal of the Common Name the admin typed, in words the form can show next to the field; null when fine. */
export function commonNameProblem(commonName: string): string | null {
  if (commonName.length > MAX_COMMON_NAME) return `The Common Name is at most ${MAX_COMMON_NAME} characters.`;
  // Control characters have no place in a name a verifier compares or a log prints.
  if (/[\u0000-\u001f\u007f]/.test(commonName)) return "The Common Name cannot contain control characters.";
  return null;
}

/**
 * Makes the key pair (extractable, since the admin downloads it) and a CSR signed with it whose subject is
 * `CN=commonName`, or empty when no Common Name is given (the CA then names the certificate).
 */
export async function generateKeyAndCsr(
  { keyType = DEFAULT_KEY_CHOICE, commonName = "" }: { keyType?: KeyChoice; commonName?: string },
  crypto: Crypto = globalThis.crypto,
): Promise<GeneratedKey> {
  const cn = commonName.trim();
  const problem = commonNameProblem(cn);
  if (problem) throw new Error(problem);
  // WebCrypto exists only in secure contexts: a console served over plain HTTP (other than localhost) has none.
  if (!crypto?.subtle) throw new Error("This browser cannot generate keys on this page: it needs HTTPS (or localhost). Paste a CSR instead.");
  const algorithm = ALGORITHMS[keyType];
  if (!algorithm) throw new Error(`Unknown key type ${String(keyType)}.`);
  const keys = (await crypto.subtle.generateKey(algorithm.key, true, ["sign", "verify"])) as CryptoKeyPair;
  const csr = await Pkcs10CertificateRequestGenerator.create(
    { name: cn ? [{ CN: [cn] }] : [], keys, signingAlgorithm: algorithm.sign },
    crypto,
  );
  const privateKeyDer = new Uint8Array(await crypto.subtle.exportKey("pkcs8", keys.privateKey));
  return { csrPem: csr.toString("pem"), privateKeyDer, privateKeyPem: toPem(privateKeyDer, "PRIVATE KEY") };
}
