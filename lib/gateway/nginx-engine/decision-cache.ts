/**
 * The decision cache of GATEWAY_ENGINE=nginx: nginx keeps the request path's fast-path answers (./fast-path) in its
 * own proxy_cache, so a repeat request is decided without a round trip to Node. Safe by construction:
 *
 * - Only a fast-path 200 the request path marks cacheable (X-Accel-Expires) is kept: refusals, sign-ins, service
 *   tokens, sessions, certificate forwarding and anything per request never take the fast path, hence never the cache.
 * - The key holds everything the answer depends on (see `KEY`): the client certificate (see `CERT_KEY`), its
 *   verification result, the address, SNI, Host, method, raw URI, whether it is the connection's first request, the
 *   cookie and token headers, the value of every header the fast path forwards, the request's length in bytes, and
 *   the configuration generation.
 * - The fast location forwards only the headers of `FORWARDED` (never the client's others), so a cached answer can
 *   never carry a header the request path would have stripped; the request length in the key keeps a request with
 *   any other header (which the request path would forward or strip) out of another request's entry.
 * - The TTL is at most 30 s and never past the JWT's renewal point or the leaf certificate's notAfter; every
 *   configuration change (and every CRL's nextUpdate) bumps the generation, purges the cache directory and reloads.
 * - Cached hits are still logged: nginx writes one line per hit (`log_format portcullis_hit`), ./hit-log turns it into
 *   an access-log row. A hit's line carries the row only (its chain named by SHA-256 in the row); the line of the miss
 *   that stored the answer carries the client certificate once, from which ./hit-log knows the chain.
 */
import { X509Certificate } from "node:crypto";
import type { OutgoingHttpHeaders } from "node:http";
import { sha256Hex, type AccessLogEntry } from "../../domain/access-log";

/** Longest life of a cached decision, seconds. */
export const MAX_TTL_S = 30;
/** Response header naming the access-log row of a cacheable answer (read back from nginx's hit log). */
export const LOG_HEADER = "x-portcullis-log";

/**
 * Client headers nginx passes to the origin on the fast path (proxy_pass_request_headers off + one proxy_set_header
 * each); a request with any other header, or any header twice, is not fast (the request path proxies it itself).
 */
export const FORWARDED = [
  "user-agent", "accept", "accept-encoding", "accept-language", "accept-charset", "cache-control", "pragma", "referer",
  "origin", "cookie", "authorization", "content-type", "if-none-match", "if-modified-since", "if-match",
  "if-unmodified-since", "if-range", "range", "dnt", "upgrade-insecure-requests", "x-requested-with", "priority",
  "sec-fetch-site", "sec-fetch-mode", "sec-fetch-dest", "sec-fetch-user", "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform",
] as const;

const variable = (h: string) => `$http_${h.replace(/-/g, "_")}`;

/**
 * The client certificate's part of the key: its SHA-1 fingerprint (of the DER), serial number and issuer DN, next to
 * the verification result ($ssl_client_verify, in `KEY`). Not the escaped certificate itself: escaping ~1.5 KB of PEM
 * and hashing it into the key on every request was the largest cost of a hit in nginx, and nginx 1.22 has no SHA-256
 * fingerprint. SHA-1 is enough here: a hit needs the same fingerprint *and* the same issuer and serial *and* the same
 * verification result as the certificate the answer was decided for. Taking another certificate's entry needs a
 * second preimage of SHA-1 (none is known), or two colliding certificates, which only exist for an attacker who has
 * both bodies under control; a certificate that verifies was signed by the CA over a body the CA chose (serial,
 * validity), and the signature ends the DER, so the two colliding bodies cannot both carry a valid signature from the
 * same issuer with the same serial (an issuer and serial name one certificate: that is what revocation relies on).
 * A certificate that does not verify ($ssl_client_verify FAILED/NONE) only ever reaches answers decided for
 * certificates that did not verify either. nginx itself names the cache entry by the MD5 of the whole key.
 */
const CERT_KEY = ["$ssl_client_fingerprint", "$ssl_client_serial", "$ssl_client_i_dn"];

/** The cache key (nginx variables). `$portcullis_first`: 1 on a connection's first request (forwarding may differ). */
const KEY = [
  "$request_method", "$ssl_server_name", "$http_host", "$request_uri", "$server_protocol", "$request_length",
  "$ssl_client_verify", "$remote_addr", "$portcullis_first", "$http_cf_access_client_id", "$http_cf_access_client_secret",
  "$http_connection", ...FORWARDED.map(variable), ...CERT_KEY,
];

export const ZONE = "portcullis_decisions";
export const CACHE_DIR = "decisions";
export const HIT_LOG = "hits.log";

/**
 * http-level directives: the zone (in a 0700 directory of the engine, on tmpfs when the host has one: every hit opens
 * and reads its entry's file), the first-request flag, the hit log format. Entries are a few KB each; max_size bounds
 * the memory a flood of distinct allowed requests could take on tmpfs (the least recently used go first).
 */
export function cacheHttpConfig(dir: string): string[] {
  return [
    `proxy_cache_path ${dir}/${CACHE_DIR} levels=1:2 keys_zone=${ZONE}:16m max_size=64m inactive=${MAX_TTL_S * 2}s use_temp_path=off;`,
    `map $connection_requests $portcullis_first {`,
    `  1 1;`,
    `  default 0;`,
    `}`,
    // A hit's line names its chain through the row; the line of the miss that stored the answer brings the
    // certificate, once per entry (./hit-log).
    `map $portcullis_cache $portcullis_hit_cert {`,
    `  HIT -;`,
    `  default $ssl_client_escaped_cert;`,
    `}`,
    `log_format portcullis_hit '$msec $portcullis_cache $portcullis_log $portcullis_hit_cert';`,
  ];
}

/** Directives of the auth_request location: cache the request path's cacheable answers under the fast location's key. */
export function cacheAuthConfig(): string[] {
  return [
    `proxy_cache ${ZONE};`,
    `proxy_cache_key $portcullis_key;`,
    // The cache needs buffering; an auth answer has no body. The cache file's header holds the key, escaped client
    // certificate included (up to the 16 KiB header limit, about three times that escaped): room for it.
    `proxy_buffering on;`,
    `proxy_buffer_size 64k;`,
    `proxy_buffers 4 64k;`,
    `proxy_busy_buffers_size 128k;`,
  ];
}

/**
 * Directives of the fast location: the key (`KEY` + generation), the hit's cache status and log row, and only
 * `FORWARDED` client headers. The key is computed here, in the request itself: in the auth subrequest (which shares
 * the request's variables) the method would be GET and the request length not the client's.
 */
export function cacheFastConfig(dir: string, generation: number): string[] {
  return [
    `set $portcullis_key "g${generation}|${KEY.join("|")}";`,
    `auth_request_set $portcullis_cache $upstream_cache_status;`,
    `auth_request_set $portcullis_log $upstream_http_${LOG_HEADER.replace(/-/g, "_")};`,
    // Every answer that was (or is being) kept: its row is the cacheable answer's log header, absent otherwise.
    `access_log ${dir}/${HIT_LOG} portcullis_hit buffer=32k flush=250ms if=$portcullis_log;`,
    `proxy_pass_request_headers off;`,
    ...FORWARDED.map((h) => `proxy_set_header ${h} ${variable(h)};`),
  ];
}

const FORWARDED_SET = new Set<string>(FORWARDED);

/** Whether nginx's fast location forwards exactly these client headers (raw names, as received): all known, none twice. */
export function forwardable(rawHeaders: string[], managed: (name: string) => boolean): boolean {
  const seen = new Set<string>();
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const n = rawHeaders[i].toLowerCase();
    if (n === "host" || managed(n)) continue;
    if (!FORWARDED_SET.has(n) || seen.has(n)) return false;
    seen.add(n);
  }
  return true;
}

/** notAfter of a leaf, ms (parsed once per DER: a client sends the same leaf on every request). */
const notAfters = new WeakMap<Buffer, number>();
function notAfterOf(leaf: Buffer): number {
  let t = notAfters.get(leaf);
  if (t === undefined) {
    try {
      t = Date.parse(new X509Certificate(leaf).validTo);
    } catch {
      t = 0;
    }
    notAfters.set(leaf, t);
  }
  return t;
}

export interface Cacheability {
  now: number;
  /** when the answer's JWT would be re-signed (ms), null without a JWT */
  renewAt: number | null;
  leaf: Buffer | undefined;
  /** a reason the decision may change before the TTL (OCSP, revocation information missing...) */
  volatile: boolean;
}

/** Seconds nginx may reuse this decision, 0 when not at all. */
export function cacheSeconds(c: Cacheability): number {
  if (c.volatile) return 0;
  let until = c.now + MAX_TTL_S * 1000;
  if (c.renewAt !== null) until = Math.min(until, c.renewAt);
  if (c.leaf) until = Math.min(until, notAfterOf(c.leaf));
  return Math.max(0, Math.floor((until - c.now) / 1000));
}

/** A cached answer's access-log row: the entry less its time (nginx logs it) and its chain, named by SHA-256 instead. */
export type HitRow = Omit<AccessLogEntry, "at" | "chain"> & { chainSha256?: string[] };

/** The fast answer made cacheable for `seconds`, with its access-log row (./hit-log adds the time and the chain). */
export function cacheableAnswer(fast: OutgoingHttpHeaders, entry: AccessLogEntry, seconds: number): OutgoingHttpHeaders {
  if (seconds < 1) return fast;
  const row: Partial<AccessLogEntry> & { chainSha256?: string[] } = { ...entry };
  delete row.at;
  delete row.chain;
  if (entry.chain?.length) row.chainSha256 = entry.chain.map(sha256Hex);
  return { ...fast, "x-accel-expires": String(seconds), [LOG_HEADER]: Buffer.from(JSON.stringify(row)).toString("base64url") };
}
