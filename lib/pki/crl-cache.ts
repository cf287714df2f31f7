/**
 * Process-wide cache of parsed CRLs. A CRL with tens of thousands of entries takes hundreds of milliseconds to
 * parse, and every caller that builds a trust store from stored PEM (Test mTLS on each call, the gateway per
 * hostname context, the nginx export) would otherwise parse it again: a viewer or read token could then burn a
 * core by repeating Test mTLS. The key is the input itself (the PEM text, or the DER bytes as a Latin-1 string),
 * so a changed CRL is a new key and an unchanged one costs a string comparison, not a hash of megabytes; V8
 * compares two equal long strings with a memcmp. Bounded by total revoked entries and by input size, least
 * recently used evicted first. The state lives on globalThis so that every bundle of the server (route
 * handlers, server actions, the gateway) shares one copy.
 *
 * Cached results are shared: ParsedCrl objects are frozen, and callers get fresh arrays.
 */
import type { ParsedCrl } from "./crl";

export interface LoadedCrls {
  crls: ParsedCrl[];
  errors: string[];
}

export interface CrlCacheLimits {
  /** Total revoked entries over all cached CRLs. */
  maxRevoked: number;
  /** Total input size (characters of PEM text or bytes of DER) over all cached inputs. */
  maxInputSize: number;
}

export interface CrlCacheStats {
  /** Inputs parsed (cache misses) since the process started. */
  parses: number;
  hits: number;
  entries: number;
  revoked: number;
  inputSize: number;
}

export const DEFAULT_CRL_CACHE_LIMITS: CrlCacheLimits = { maxRevoked: 250_000, maxInputSize: 32 * 1024 * 1024 };

interface Entry {
  result: LoadedCrls;
  revoked: number;
  size: number;
}

interface CacheState {
  map: Map<string, Entry>;
  limits: CrlCacheLimits;
  stats: CrlCacheStats;
}

const g = globalThis as { __portcullisCrlCache?: CacheState };

function state(): CacheState {
  return (g.__portcullisCrlCache ??= {
    map: new Map(),
    limits: { ...DEFAULT_CRL_CACHE_LIMITS },
    stats: { parses: 0, hits: 0, entries: 0, revoked: 0, inputSize: 0 },
  });
}

const latin1 = new TextDecoder("latin1");

/** Byte inputs get a NUL-prefixed key; text starting with NUL is never cached, so the two cannot collide. */
function keyOf(input: string | Uint8Array): string | null {
  if (typeof input === "string") return input.charCodeAt(0) === 0 ? null : input;
  return `\u0000b${latin1.decode(input)}`;
}

const copy = (r: LoadedCrls): LoadedCrls => ({ crls: [...r.crls], errors: [...r.errors] });

function evict(s: CacheState) {
  for (const [key, e] of s.map) {
    if (s.stats.revoked <= s.limits.maxRevoked && s.stats.inputSize <= s.limits.maxInputSize) return;
    s.map.delete(key);
    s.stats.revoked -= e.revoked;
    s.stats.inputSize -= e.size;
    s.stats.entries--;
  }
}

/** `parse(input)` at most once per distinct input while it stays cached. */
export function cachedLoadCrls(input: string | Uint8Array, parse: (input: string | Uint8Array) => LoadedCrls): LoadedCrls {
  const s = state();
  const key = keyOf(input);
  const hit = key === null ? undefined : s.map.get(key);
  if (hit) {
    s.stats.hits++;
    // Most recently used last: re-insert.
    s.map.delete(key!);
    s.map.set(key!, hit);
    return copy(hit.result);
  }
  s.stats.parses++;
  const result = parse(input);
  for (const crl of result.crls) Object.freeze(crl);
  const revoked = result.crls.reduce((n, c) => n + c.revoked.size, 0);
  const size = key?.length ?? 0;
  if (key !== null && revoked <= s.limits.maxRevoked && size <= s.limits.maxInputSize) {
    s.map.set(key, { result, revoked, size });
    s.stats.entries++;
    s.stats.revoked += revoked;
    s.stats.inputSize += size;
    evict(s);
  }
  return copy(result);
}

export function crlCacheStats(): CrlCacheStats {
  return { ...state().stats };
}

/** Change the bounds (tests, embedders); evicts at once when the cache is over the new ones. */
export function configureCrlCache(limits: Partial<CrlCacheLimits>): void {
  const s = state();
  s.limits = { ...s.limits, ...limits };
  evict(s);
}

/** Drop every cached CRL (the parse counter keeps counting). */
export function clearCrlCache(): void {
  const s = state();
  s.map.clear();
  s.stats.entries = 0;
  s.stats.revoked = 0;
  s.stats.inputSize = 0;
}
