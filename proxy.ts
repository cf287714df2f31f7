import { NextResponse, type NextRequest } from "next/server";
import { bodyTooLarge, MAX_BODY_BYTES } from "@/lib/api/body";
import { failure } from "@/lib/api/envelope";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "./next.config.mjs";

/**
 * Per-request nonce CSP for pages (Next.js applies the nonce to its own scripts), and HSTS when the
 * request arrived over TLS. API routes get a strict "nothing to render" policy.
 *
 * Before Next.js handles a request, refuse with a clear answer (instead of Next's digest-only 500):
 * - a server action posted from another origin → 403 (the action does not run);
 * - a body whose Content-Length is over the route's limit → 413 (server actions: next.config.mjs
 *   `serverActions.bodySizeLimit`; the API: lib/api/body.ts, same code and message as its own check).
 * Bodies without Content-Length (chunked) are bounded where they are read: Next.js for server actions,
 * readJsonBody for the API. The API authenticates by token only (cookies are ignored), so a cross-origin
 * API request cannot ride on a browser session, and token requests from internal portals keep working.
 */
export function proxy(request: NextRequest) {
  const nonce = btoa(crypto.randomUUID());
  const dev = process.env.NODE_ENV !== "production";
  const isApi = request.nextUrl.pathname.startsWith("/client/v4") || request.nextUrl.pathname.startsWith("/api/");
  const csp = isApi
    ? "default-src 'none'; frame-ancestors 'none'"
    : [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; ");
  const response = refusal(request, isApi) ?? next(request, nonce, csp);
  response.headers.set("Content-Security-Policy", csp);
  const proto = request.headers.get("x-forwarded-proto") ?? request.nextUrl.protocol.replace(":", "");
  if (proto === "https") response.headers.set("Strict-Transport-Security", "max-age=63072000; includeSubDomains");
  return response;
}

function next(request: NextRequest, nonce: string, csp: string): NextResponse {
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  requestHeaders.set("Content-Security-Policy", csp);
  return NextResponse.next({ request: { headers: requestHeaders } });
}

const BODY_METHODS = new Set(["POST", "PUT", "PATCH"]);

/** The answer for a request that must not reach Next.js, or null to let it through. */
function refusal(request: NextRequest, isApi: boolean): Response | null {
  if (!BODY_METHODS.has(request.method)) return null;
  const declared = request.headers.get("content-length");
  const size = declared && /^\d+$/.test(declared) ? Number(declared) : undefined;
  if (isApi) {
    if (size !== undefined && size > MAX_BODY_BYTES) {
      const e = bodyTooLarge();
      return failure(e.status, e.errors);
    }
    return null;
  }
  // Pages take a body only as a server action: Next-Action header (JS), or a multipart form post (no JS yet).
  const isAction =
    request.method === "POST" &&
    (request.headers.has("next-action") || (request.headers.get("content-type") ?? "").toLowerCase().startsWith("multipart/form-data"));
  if (isAction) {
    const from = requestOrigin(request.headers);
    const host = expectedHost(request.headers);
    if (from !== undefined && from !== host) {
      const shown = from === null ? "an unknown origin" : from;
      return plain(403, `Refused: this form was sent from ${shown}, not from ${host ?? "this console"}. Nothing was changed. Open the console at its own address and submit the form again.`);
    }
  }
  if (size !== undefined && size > SERVER_ACTION_BODY_LIMIT_BYTES) {
    return plain(413, `Refused: the submitted data is ${bytes(size)}; the limit is ${SERVER_ACTION_BODY_LIMIT_BYTES / (1024 * 1024)} MiB (${bytes(SERVER_ACTION_BODY_LIMIT_BYTES)}). Nothing was changed.`);
  }
  return null;
}

/**
 * The host (host[:port]) the request says it came from: Origin, else Referer. `undefined` when neither is
 * sent (a hand-made request, which carries only the credentials its sender chose; Next.js lets it through too);
 * `null` for an opaque origin ("null", sandboxed frames) or an unparsable value.
 */
function requestOrigin(headers: Headers): string | null | undefined {
  const origin = headers.get("origin") ?? headers.get("referer");
  if (origin === null) return undefined;
  try {
    return origin === "null" ? null : new URL(origin).host.toLowerCase();
  } catch {
    return null;
  }
}

/** The host the browser addressed, as Next.js judges it: the first X-Forwarded-Host, else Host. */
function expectedHost(headers: Headers): string | undefined {
  const forwarded = headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  return (forwarded || headers.get("host") || undefined)?.toLowerCase();
}

/** text/plain exactly: Next's client then shows the body as the error message instead of a generic one. */
function plain(status: number, message: string): Response {
  return new Response(message, { status, headers: { "content-type": "text/plain", "cache-control": "no-store" } });
}

const bytes = (n: number) => `${n.toLocaleString("en-US")} bytes`;

export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|favicon.ico).*)" }],
};
