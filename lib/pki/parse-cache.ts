/**
 * Parsed certificates by their DER, reused from one inspection to the next. The live inspector inspects the whole
 * text again after every edit (a Reorder, one certificate removed, the same bundle pasted again); a reused
 * ParsedCertificate keeps what is memoised on it (fingerprints, imported keys and signature checks, lib/pki/links.ts
 * and signature.ts), so only certificates not seen before cost WebCrypto work. Everything that depends on the time or
 * on the other certificates (checks, chain links, verdicts) is still computed per inspection.
 */
import { parseCertificate, type ParsedCertificate } from "./x509";

export interface ParseCache {
  /** Same as parseCertificate(der) (throws the same errors; failures are not kept). */
  parse(der: Uint8Array): ParsedCertificate;
  readonly size: number;
}

/** The DER as a string key: one UTF-16 unit per byte, built in small apply() chunks (fast in V8, no stack limit). */
function derKey(der: Uint8Array): string {
  let s = "";
  for (let i = 0; i < der.length; i += 1024) s += String.fromCharCode.apply(null, der.subarray(i, i + 1024) as unknown as number[]);
  return s;
}

/** At most `max` certificates, least recently used dropped first (a public-root bundle has ~150). */
export function createParseCache(max = 512): ParseCache {
  const map = new Map<string, ParsedCertificate>();
  return {
    parse(der) {
      const key = derKey(der);
      const hit = map.get(key);
      if (hit) {
        map.delete(key);
        map.set(key, hit);
        return hit;
      }
      const cert = parseCertificate(der);
      map.set(key, cert);
      if (map.size > max) map.delete(map.keys().next().value!);
      return cert;
    },
    get size() {
      return map.size;
    },
  };
}
