/**
 * The nginx engine's fast path: for a plain allowed request, the request path only decides (nginx's auth_request
 * asks it, without the body) and nginx proxies to the origin itself, natively, with the headers the request path
 * computed. It is taken only when nginx would send the origin exactly what the node engine sends: same client
 * headers, the five the gateway sets, no certificate headers, an http origin nginx has an upstream for. Anything
 * else (a refusal, a sign-in, a stripped or renamed client header, forwarding, WebSocket, https origins...) is
 * answered 403 here, and nginx hands the whole request to the request path, which proxies it as the node engine does.
 */
import { createHash } from "node:crypto";
import type { IncomingHttpHeaders, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { isIP } from "node:net";
import type { AccessLogEntry } from "../../domain/access-log";
import { cacheableAnswer, cacheSeconds, forwardable, type Cacheability } from "./decision-cache";

/** Response headers of a fast-path answer (read by auth_request_set). */
export const FAST_ORIGIN = "x-portcullis-origin";
export const FAST_TARGET = "x-portcullis-target";
export const FAST_JWT = "x-portcullis-jwt";
export const FAST_COOKIE = "x-portcullis-cookie";

/** What nginx itself sets or drops on a proxied request, whatever the client sent. */
const NGINX_MANAGED = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "te", "upgrade", "expect"]);
/** The headers the fast-path location sets from the decision or the connection. */
const NGINX_SETS = ["cf-connecting-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "cf-access-jwt-assertion"];
/** Set, replaced or dropped by nginx on the fast location whatever the client sent (x-portcullis-*: ./peer). */
const nginxOwns = (n: string) => NGINX_MANAGED.has(n) || NGINX_SETS.includes(n) || n.startsWith("x-portcullis-");

/**
 * The nginx upstream name of an origin, or null when nginx cannot proxy to it directly: https origins (the request
 * path verifies their certificates) and host names (nginx would resolve them once, at load). The configuration and
 * the request path both use this, so a name the request path returns is one nginx has.
 */
export function upstreamName(origin: URL): string | null {
  if (origin.protocol !== "http:") return null;
  const host = origin.hostname.replace(/^\[|\]$/g, "");
  if (!isIP(host) && host !== "localhost") return null;
  return `portcullis_origin_${createHash("sha256").update(origin.host).digest("hex").slice(0, 16)}`;
}

const same = (a: unknown, b: unknown) => (Array.isArray(a) || Array.isArray(b) ? JSON.stringify(a) === JSON.stringify(b) : String(a) === String(b));

/**
 * The auth_request answer's headers when nginx may proxy this request itself, else null. `incoming` is what the client
 * sent (as the request path received it; `rawHeaders` with their names as sent), `outgoing` what the node engine would
 * send the origin. nginx forwards only the client headers of ./decision-cache `FORWARDED` on the fast path.
 */
export function fastPath(
  incoming: IncomingHttpHeaders,
  rawHeaders: string[],
  outgoing: OutgoingHttpHeaders,
  origin: URL,
  target: string,
  jwt: string | null,
  setCookie: string | null,
): OutgoingHttpHeaders | null {
  const upstream = upstreamName(origin);
  if (!upstream || incoming.upgrade !== undefined || incoming.host === undefined) return null;
  if (!forwardable(rawHeaders, nginxOwns)) return null;
  const expected: Record<string, unknown> = {};
  for (const n in incoming) if (!NGINX_MANAGED.has(n) && incoming[n] !== undefined) expected[n] = incoming[n];
  for (const n of NGINX_SETS) delete expected[n];
  let count = Object.keys(expected).length;
  for (const n in outgoing) {
    if (n === "host" || n === "content-length" || n === "transfer-encoding") continue;
    if (NGINX_SETS.includes(n)) continue;
    if (!(n in expected) || !same(expected[n], outgoing[n])) return null;
    count--;
  }
  if (count !== 0) return null;
  // The five set headers must be what nginx will write: the address, https, the client's Host, the JWT.
  if (outgoing["x-forwarded-host"] !== incoming.host || outgoing["x-forwarded-proto"] !== "https") return null;
  if ((outgoing["cf-access-jwt-assertion"] ?? null) !== jwt) return null;
  return {
    [FAST_ORIGIN]: `http://${upstream}`,
    [FAST_TARGET]: `${origin.pathname.replace(/\/$/, "")}${target}`,
    ...(jwt ? { [FAST_JWT]: jwt } : {}),
    ...(setCookie ? { [FAST_COOKIE]: setCookie } : {}),
  };
}

const FAST = Symbol("portcullis fast path");

/**
 * The auth_request answer: whatever the request path writes becomes a bare 403 (nginx then hands the request to the
 * request path as a whole), except the fast path's own 200 (`fastAnswer`).
 */
export function refuseUnlessFast(res: ServerResponse): ServerResponse {
  const writeHead = res.writeHead.bind(res) as (status: number, headers?: OutgoingHttpHeaders) => ServerResponse;
  const marked = res as ServerResponse & { [FAST]?: OutgoingHttpHeaders };
  res.writeHead = ((status: number) => {
    const fast = marked[FAST];
    return fast && status === 200 ? writeHead(200, fast) : writeHead(403);
  }) as unknown as ServerResponse["writeHead"];
  return res;
}

/**
 * Answer nginx's auth_request: 200 with the fast path's headers, or 403 (the whole request goes to the request path).
 * With `cache` (the logged entry of an allowed request), a 200 nginx may keep for a while (./decision-cache).
 */
export function fastAnswer(res: ServerResponse, fast: OutgoingHttpHeaders | null, cache?: (Cacheability & { entry: AccessLogEntry }) | null): void {
  if (fast && cache) fast = cacheableAnswer(fast, cache.entry, cacheSeconds(cache));
  if (fast) (res as ServerResponse & { [FAST]?: OutgoingHttpHeaders })[FAST] = fast;
  res.writeHead(fast ? 200 : 403);
  res.end();
}
