/**
 * Checking a certificate signing request before the managed CA signs it: it must be a CSR (PEM, or DER sent as
 * base64), its self-signature must verify, and its key and signature algorithm must be on the list CA uploads
 * allow (RSA 2048–8192 with PKCS#1 v1.5, ECDSA on P-256/P-384/P-521; SHA-1/256/384/512). Parsing and the signature
 * check are @peculiar/x509's; key details come from node:crypto.
 */
import "reflect-metadata";
import { createPublicKey, webcrypto } from "node:crypto";
import { CertificationRequest } from "@peculiar/asn1-csr";
import { AsnConvert } from "@peculiar/asn1-schema";
import * as x509 from "@peculiar/x509";
import { signatureAlgorithmInfo } from "../../pki/oids";
import { containsPrivateKey } from "../certificates/queries";
import { fail, ok, type Result } from "../core/result";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const MAX_CSR_BYTES = 64 * 1024;
export const CSR_PRIVATE_KEY_REFUSAL = "This is a private key. Paste the certificate signing request (CSR) only; the private key stays with its owner.";
const CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };

export interface CheckedCsr {
  csr: x509.Pkcs10CertificateRequest;
  /** Normalised PEM */
  pem: string;
  commonName: string;
  subject: { country: string; state: string; location: string; organization: string; organizational_unit: string };
  /** "RSA 2048", "EC P-256" */
  keyDescription: string;
  isRsa: boolean;
}

const refuse = (m: string) => fail("validation", m, { csr: [m] });

function toDer(text: string): Uint8Array<ArrayBuffer> | null {
  const t = text.trim();
  const m = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/.exec(t);
  const body = m ? m[2] : /^[A-Za-z0-9+/=\s]+$/.test(t) ? t : null;
  if (body === null) return null;
  const der = Buffer.from(body.replace(/\s+/g, ""), "base64");
  return der.length ? new Uint8Array(der) : null;
}

const first = (name: x509.Name, type: string) => name.getField(type)[0] ?? "";

export async function checkCsr(input: unknown): Promise<Result<CheckedCsr>> {
  if (typeof input !== "string" || !input.trim()) return refuse("A CSR is required: paste the certificate signing request (-----BEGIN CERTIFICATE REQUEST-----).");
  if (containsPrivateKey(input)) return refuse(CSR_PRIVATE_KEY_REFUSAL);
  if (input.length > MAX_CSR_BYTES) return refuse("The CSR is larger than 64 KiB; a certificate signing request is a few kilobytes.");
  if (/-----BEGIN (TRUSTED )?CERTIFICATE-----/.test(input)) return refuse("This is a certificate, not a certificate signing request (CSR). Paste the CSR (-----BEGIN CERTIFICATE REQUEST-----).");
  const der = toDer(input);
  let csr: x509.Pkcs10CertificateRequest;
  let sigOid: string;
  try {
    if (!der) throw new Error("no CSR");
    sigOid = AsnConvert.parse(new Uint8Array(der), CertificationRequest).signatureAlgorithm.algorithm;
    csr = new x509.Pkcs10CertificateRequest(new Uint8Array(der));
  } catch {
    return refuse("This is not a certificate signing request (CSR): paste the PEM block that starts with -----BEGIN CERTIFICATE REQUEST-----.");
  }
  const sig = signatureAlgorithmInfo(sigOid);
  let key: { type: string; bits?: number; curve?: string };
  try {
    const k = createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: "der", type: "spki" });
    key = { type: k.asymmetricKeyType ?? "unknown", bits: k.asymmetricKeyDetails?.modulusLength, curve: k.asymmetricKeyDetails?.namedCurve };
  } catch {
    return refuse("The CSR's public key cannot be read.");
  }
  const allowedKeys = "Allowed keys: RSA 2048 to 8192 bits, or ECDSA on P-256, P-384 or P-521.";
  let keyDescription: string;
  if (key.type === "rsa") {
    if (!key.bits || key.bits < 2048 || key.bits > 8192) return refuse(`The CSR's RSA key has ${key.bits ?? "an unknown number of"} bits, which is not allowed. ${allowedKeys}`);
    keyDescription = `RSA ${key.bits}`;
  } else if (key.type === "ec") {
    const curve = key.curve ? CURVES[key.curve] : undefined;
    if (!curve) return refuse(`The CSR's elliptic-curve key uses ${key.curve ?? "an unknown curve"}, which is not allowed. ${allowedKeys}`);
    keyDescription = `EC ${curve}`;
  } else {
    return refuse(`The CSR's key type (${key.type.toUpperCase()}) is not allowed. ${allowedKeys}`);
  }
  if (!sig.allowed) {
    return refuse(`The CSR is signed with ${sig.name}, which is not allowed. Allowed: SHA-1/256/384/512 with RSA (PKCS#1 v1.5) and ECDSA with SHA-1/256/384/512.`);
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) return refuse("The CSR's signature does not verify: it was altered after it was signed, or it was not signed with its own key.");
  const name = csr.subjectName;
  return ok({
    csr,
    pem: csr.toString("pem"),
    commonName: first(name, "CN"),
    subject: { country: first(name, "C"), state: first(name, "ST"), location: first(name, "L"), organization: first(name, "O"), organizational_unit: first(name, "OU") },
    keyDescription,
    isRsa: key.type === "rsa",
  });
}
