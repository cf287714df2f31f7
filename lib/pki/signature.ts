/** Signature verification with WebCrypto (globalThis.crypto.subtle) only. */
import { children, content, expectTag, readOid, readSmallInt, readTlv, TAG, unsignedInt } from "./der";
import { CURVES, HASH_OIDS, signatureAlgorithmInfo } from "./oids";
import type { PublicKeyInfo } from "./x509";

export type SignatureCheck = "valid" | "invalid" | "unsupported";

interface VerifyPlan {
  importAlg: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams;
  verifyAlg: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
  cacheKey: string;
  fieldBytes?: number;
}

function pssParams(params: Uint8Array | null): { hash: string; saltLength: number } | null {
  let hash = "SHA-1";
  let saltLength = 20;
  if (!params) return { hash, saltLength };
  const seq = readTlv(params, 0);
  for (const f of children(params, seq)) {
    const tagNo = f.tag & 0x1f;
    const inner = readTlv(params, f.contentStart, f.end);
    if (tagNo === 0) {
      const h = HASH_OIDS[readOid(params, children(params, inner)[0])];
      if (!h) return null;
      hash = h;
    } else if (tagNo === 1) {
      const [, mgfHashT] = children(params, inner);
      const mgfHash = mgfHashT ? HASH_OIDS[readOid(params, children(params, mgfHashT)[0])] : "SHA-1";
      // WebCrypto only supports MGF1 with the same hash as the message digest.
      if (mgfHash !== hash) return null;
    } else if (tagNo === 2) saltLength = readSmallInt(params, inner);
  }
  return { hash, saltLength };
}

function plan(sigOid: string, sigParams: Uint8Array | null, key: PublicKeyInfo): VerifyPlan | null {
  const info = signatureAlgorithmInfo(sigOid);
  switch (info.kind) {
    case "rsa":
      if (key.algorithm !== "RSA") return null;
      return {
        importAlg: { name: "RSASSA-PKCS1-v1_5", hash: info.hash! },
        verifyAlg: { name: "RSASSA-PKCS1-v1_5" },
        cacheKey: `rsa:${info.hash}`,
      };
    case "ecdsa": {
      const curve = key.curveOid ? CURVES[key.curveOid] : undefined;
      if (key.algorithm !== "EC" || !curve?.webcrypto) return null;
      return {
        importAlg: { name: "ECDSA", namedCurve: curve.webcrypto },
        verifyAlg: { name: "ECDSA", hash: info.hash! },
        cacheKey: `ec:${curve.webcrypto}`,
        fieldBytes: Math.ceil(curve.size / 8),
      };
    }
    case "rsa-pss": {
      if (key.algorithm !== "RSA" && key.algorithm !== "RSA-PSS") return null;
      const p = pssParams(sigParams);
      if (!p) return null;
      return {
        importAlg: { name: "RSA-PSS", hash: p.hash },
        verifyAlg: { name: "RSA-PSS", saltLength: p.saltLength },
        cacheKey: `pss:${p.hash}`,
      };
    }
    case "ed25519":
      if (key.algorithm !== "Ed25519") return null;
      return { importAlg: { name: "Ed25519" }, verifyAlg: { name: "Ed25519" }, cacheKey: "ed25519" };
    case "ed448":
      if (key.algorithm !== "Ed448") return null;
      return { importAlg: { name: "Ed448" }, verifyAlg: { name: "Ed448" }, cacheKey: "ed448" };
    default:
      return null;
  }
}

/** ECDSA-Sig-Value (DER) → r‖s as WebCrypto expects. */
function ecdsaRaw(sig: Uint8Array, fieldBytes: number): Uint8Array | null {
  try {
    // Strict DER, as OpenSSL: SEQUENCE { INTEGER r, INTEGER s } and nothing after it.
    const seq = expectTag(readTlv(sig, 0), TAG.SEQUENCE, "Ecdsa-Sig-Value");
    if (seq.end !== sig.length) return null;
    const parts = children(sig, seq);
    if (parts.length !== 2) return null;
    const [r, s] = parts.map((t) => expectTag(t, TAG.INTEGER, "Ecdsa-Sig-Value integer"));
    const out = new Uint8Array(fieldBytes * 2);
    const rb = unsignedInt(content(sig, r));
    const sb = unsignedInt(content(sig, s));
    if (rb.length > fieldBytes || sb.length > fieldBytes) return null;
    out.set(rb, fieldBytes - rb.length);
    out.set(sb, fieldBytes * 2 - sb.length);
    return out;
  } catch {
    return null;
  }
}

const keyCache = new WeakMap<Uint8Array, Map<string, Promise<CryptoKey | null>>>();

function importKey(key: PublicKeyInfo, p: VerifyPlan): Promise<CryptoKey | null> {
  let perKey = keyCache.get(key.spki);
  if (!perKey) {
    perKey = new Map();
    keyCache.set(key.spki, perKey);
  }
  let k = perKey.get(p.cacheKey);
  if (!k) {
    k = globalThis.crypto.subtle
      .importKey("spki", key.spki as BufferSource, p.importAlg, false, ["verify"])
      .catch(() => null);
    perKey.set(p.cacheKey, k);
  }
  return k;
}

/**
 * Verify `signature` over `data` with `key`. "unsupported" means WebCrypto cannot check this
 * algorithm/key combination (MD5, SHA-224, brainpool, mismatched key type...), which is not the
 * same as a bad signature.
 */
export async function verifySignature(
  data: Uint8Array,
  signature: Uint8Array,
  sigOid: string,
  sigParams: Uint8Array | null,
  key: PublicKeyInfo,
): Promise<SignatureCheck> {
  let p: VerifyPlan | null;
  try {
    p = plan(sigOid, sigParams, key);
  } catch {
    p = null;
  }
  if (!p) return "unsupported";
  const cryptoKey = await importKey(key, p);
  if (!cryptoKey) return "unsupported";
  let sig: Uint8Array | null = signature;
  if (p.fieldBytes) sig = ecdsaRaw(signature, p.fieldBytes);
  if (!sig) return "invalid";
  try {
    const ok = await globalThis.crypto.subtle.verify(p.verifyAlg, cryptoKey, sig as BufferSource, data as BufferSource);
    return ok ? "valid" : "invalid";
  } catch {
    return "invalid";
  }
}

/** Can this key type ever have produced a signature with this algorithm? (OpenSSL check_sig_alg_match) */
export function keyMatchesSignatureAlgorithm(sigOid: string, key: PublicKeyInfo): boolean {
  const kind = signatureAlgorithmInfo(sigOid).kind;
  const a = key.algorithm;
  if (kind === "rsa" || kind === "rsa-pss") return a === "RSA" || a === "RSA-PSS";
  if (kind === "ecdsa") return a === "EC";
  if (kind === "ed25519") return a === "Ed25519";
  if (kind === "ed448") return a === "Ed448";
  const name = signatureAlgorithmInfo(sigOid).name;
  if (name.includes("RSA")) return a === "RSA";
  if (name.startsWith("ecdsa")) return a === "EC";
  if (name.startsWith("dsa")) return a === "DSA";
  return true;
}
