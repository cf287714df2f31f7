/**
 * OCSP status of client certificates for hostnames that ask for it (hostname setting **Check OCSP**): the responder
 * named in the leaf's Authority Information Access is asked over HTTP POST (bounded: lib/server/fetch-bounded), the
 * answer checked by lib/pki/ocsp (signature, CertID, freshness, nonce) and cached per leaf + issuer until its
 * nextUpdate (at most, and without one, 1 hour). A failure is cached for 30 s so an unreachable responder costs
 * one timeout per certificate and half-minute, not one per request. The result is lib/access's `OcspAnswer`; what
 * it does to the request (refuse, pass, or the hostname's block / allow choice) is decided there.
 * Used by the gateway (per connection chain) and the tester (Test mTLS page, API, CLI). No database.
 */
import { createHash } from "node:crypto";
import type { OcspAnswer } from "../../access/freshness";
import { buildOcspRequest, checkOcspResponse, ocspUrls } from "../../pki/ocsp";
import { parseCertificate } from "../../pki/x509";
import { fetchBounded } from "../../server/fetch-bounded";

const MAX_CACHE_MS = 3_600_000;
const FAILURE_CACHE_MS = 30_000;
const MAX_ENTRIES = 10_000;
const OCSP_MAX_BYTES = 1024 * 1024;

interface Entry {
  /** the answer as later requests see it (its source says it is cached); one object, so callers can memoise by it */
  cached: OcspAnswer;
  until: number;
}
const g = globalThis as { __portcullisOcsp?: { cache: Map<string, Entry>; inflight: Map<string, Promise<OcspAnswer>> } };
const state = () => (g.__portcullisOcsp ??= { cache: new Map(), inflight: new Map() });

export interface OcspOptions {
  at?: Date;
  timeoutMs?: number;
}

/** Forget every cached answer (tests; a changed hostname setting does not need it: answers are per certificate). */
export function clearOcspCache(): void {
  state().cache.clear();
}

/**
 * The OCSP status of `leaf` issued by `issuer` (DER), from the cache or the responder. null when the leaf names no
 * http(s) OCSP responder (then OCSP is not checked for it).
 */
export async function resolveOcsp(leaf: Uint8Array, issuer: Uint8Array, opts: OcspOptions = {}): Promise<OcspAnswer | null> {
  let urls: string[];
  try {
    urls = ocspUrls(parseCertificate(leaf));
  } catch {
    return null;
  }
  if (!urls.length) return null;
  const key = createHash("sha256").update(leaf).update(issuer).digest("base64");
  const now = (opts.at ?? new Date()).getTime();
  const s = state();
  const hit = s.cache.get(key);
  if (hit && hit.until > now) return hit.cached;
  const running = s.inflight.get(key);
  if (running) return running;
  const p = ask(urls[0], leaf, issuer, opts)
    .then(({ answer, until }) => {
      s.cache.delete(key);
      s.cache.set(key, { cached: Object.freeze({ ...answer, source: `${answer.source}, cached until ${new Date(until).toISOString()}` }), until });
      if (s.cache.size > MAX_ENTRIES) s.cache.delete(s.cache.keys().next().value!);
      return answer;
    })
    .finally(() => s.inflight.delete(key));
  s.inflight.set(key, p);
  return p;
}

async function ask(url: string, leaf: Uint8Array, issuer: Uint8Array, opts: OcspOptions): Promise<{ answer: OcspAnswer; until: number }> {
  const started = Date.now();
  const failed = (detail: string) => ({ answer: { status: "unavailable" as const, source: url, detail }, until: started + FAILURE_CACHE_MS });
  let req;
  try {
    req = await buildOcspRequest(leaf, issuer);
  } catch (e) {
    return failed(`the request could not be built (${(e as Error).message})`);
  }
  const res = await fetchBounded(url, { method: "POST", body: req.der, headers: { "content-type": "application/ocsp-request", accept: "application/ocsp-response" }, timeoutMs: opts.timeoutMs, maxBytes: OCSP_MAX_BYTES });
  if (!res.ok) return failed(res.error);
  try {
    const v = await checkOcspResponse(res.body, leaf, issuer, req.nonce, opts.at ?? new Date());
    const until = Math.min(v.nextUpdate ? v.nextUpdate.getTime() : Infinity, started + MAX_CACHE_MS);
    const detail = v.status === "revoked" ? `revoked on ${v.revokedAt?.toISOString()}${v.reason ? `, reason ${v.reason}` : ""}` : undefined;
    return { answer: { status: v.status, source: url, ...(detail ? { detail } : {}) }, until };
  } catch (e) {
    return failed((e as Error).message);
  }
}
