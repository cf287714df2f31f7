/**
 * The managed CA's key material: generation (ECDSA P-256 by default, RSA 2048/4096 on request), sealing the PKCS#8
 * key with lib/server/secret-box, and the signing key imported once per process (issuing many certificates must not
 * open the sealed key and import it each time). @peculiar/x509 signs through WebCrypto (node:crypto's webcrypto).
 */
import "reflect-metadata";
import { createPrivateKey, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { openSecret, SecretBoxError, SecretKeyUnavailable, sealSecret } from "../../server/secret-box";
import { fail, type Result } from "../core/result";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export const CA_KEY_TYPES = ["ecdsa-p256", "rsa-2048", "rsa-4096"] as const;
export type CaKeyType = (typeof CA_KEY_TYPES)[number];
export const DEFAULT_CA_KEY_TYPE: CaKeyType = "ecdsa-p256";

/** Additional data of the sealed key: a value sealed for another column never opens as a CA key. */
export const CA_KEY_PURPOSE = "managed_ca.private_key";

const subtle = webcrypto.subtle as unknown as SubtleCrypto;

export function keyAlgorithm(type: CaKeyType): RsaHashedKeyGenParams | EcKeyGenParams {
  if (type === "ecdsa-p256") return { name: "ECDSA", namedCurve: "P-256" };
  return { name: "RSASSA-PKCS1-v1_5", modulusLength: type === "rsa-4096" ? 4096 : 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" };
}

/** What certificates and CRLs are signed with. */
export function signingAlgorithm(type: CaKeyType): Algorithm | EcdsaParams {
  return type === "ecdsa-p256" ? { name: "ECDSA", hash: "SHA-256" } : { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
}

export async function generateCaKeys(type: CaKeyType): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(keyAlgorithm(type), true, ["sign", "verify"])) as CryptoKeyPair;
}

export async function exportPkcs8(key: CryptoKey): Promise<Uint8Array> {
  return new Uint8Array(await subtle.exportKey("pkcs8", key));
}

export async function importPkcs8(der: Uint8Array, type: CaKeyType, extractable = false): Promise<CryptoKey> {
  const alg = keyAlgorithm(type);
  const importAlg = alg.name === "ECDSA" ? alg : { name: alg.name, hash: "SHA-256" };
  return subtle.importKey("pkcs8", der as BufferSource, importAlg, extractable, ["sign"]);
}

/** Seals the PKCS#8 DER (base64 inside the box). */
export function sealCaKey(pkcs8: Uint8Array): string {
  return sealSecret(Buffer.from(pkcs8).toString("base64"), CA_KEY_PURPOSE);
}

export function openCaKey(sealed: string): Uint8Array {
  return new Uint8Array(Buffer.from(openSecret(sealed, CA_KEY_PURPOSE), "base64"));
}

/** The key type of a PKCS#8 private key (an imported backup), or null when it is not one the managed CA uses. */
export function keyTypeOf(pkcs8: Uint8Array): CaKeyType | null {
  try {
    const k = createPrivateKey({ key: Buffer.from(pkcs8), format: "der", type: "pkcs8" });
    const d = k.asymmetricKeyDetails;
    if (k.asymmetricKeyType === "ec" && d?.namedCurve === "prime256v1") return "ecdsa-p256";
    if (k.asymmetricKeyType === "rsa" && d?.modulusLength === 2048) return "rsa-2048";
    if (k.asymmetricKeyType === "rsa" && d?.modulusLength === 4096) return "rsa-4096";
    return null;
  } catch {
    return null;
  }
}

const g = globalThis as { __portcullisCaKeys?: Map<string, { sealed: string; key: Promise<CryptoKey> }> };

/** The CA's signing key, opened and imported once per sealed value. */
export function signingKeyFor(caId: string, sealed: string, type: CaKeyType): Promise<CryptoKey> {
  const m = (g.__portcullisCaKeys ??= new Map());
  const hit = m.get(caId);
  if (hit && hit.sealed === sealed) return hit.key;
  const key = importPkcs8(openCaKey(sealed), type);
  key.catch(() => m.delete(caId));
  m.set(caId, { sealed, key });
  return key;
}

/** A positive random serial (16 bytes, first byte 0x01–0x7f), lower-case hex. */
export function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] = (b[0] & 0x7f) | 0x01;
  return Buffer.from(b).toString("hex");
}

/**
 * Runs `fn`, turning a missing key (PostgreSQL without PORTCULLIS_SECRET_KEY) or a key that does not open the sealed
 * one into an "unavailable" failure whose message says what to do, instead of an unexpected error.
 */
export async function withCaKey<T>(fn: () => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SecretKeyUnavailable || e instanceof SecretBoxError) return fail("unavailable", e.message);
    throw e;
  }
}
