import { NextResponse, type NextRequest } from "next/server";
import { bodyTooLarge, MAX_BODY_BYTES } from "@/lib/api/body";
import { failure } from "@/lib/api/envelope";
import { hasVerifiedSession } from "@/lib/auth/proxy-session";
import { safeCallbackPath } from "@/lib/safe-redirect";
import { SERVER_ACTION_BODY_LIMIT_BYTES } from "./next.config.mjs";

/**
 * Per-request nonce CSP for pages (Next.js applies the nonce to its own scripts), and HSTS when the
 * request arrived over TLS. API routes get a strict "nothing to render" policy.
 *
 * Console paths need a verified session cookie (see `signedOut`): nothing renders for anyone else.
 *
 * Before Next.js handles a request, refuse with a clear answer (instead of Next's digest-only 500):
 * - a server action posted from another origin → 403 (the action does not run);
 * - a body whose Content-Length is over the route's limit → 413 (server actions: next.config.mjs
 *   `serverActions.bodySizeLimit`; the API: lib/api/body.ts, same code and message as its own check).
 * Bodies without Content-Length (chunked) are bounded where they are read: Next.js for server actions,
 * readJsonBody for the API. The API authenticates by token only (cookies are ignored), so a cross-origin
 * API request cannot ride on a browser session, and token requests from internal portals keep working.
 */
export async function proxy(request: NextRequest) {
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
  const response = refusal(request, isApi) ?? (await signedOut(request)) ?? next(request, nonce, csp);
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

/**
 * Paths that do not need a console session: sign-in, next-auth's own endpoints, the health check, the
 * token-authenticated APIs, the managed CA's published CRL and Next's assets. Everything else is the console (including paths no file
 * serves, so that a 404 cannot tell a signed-out visitor which ids exist).
 */
const PUBLIC_PATHS = [/^\/login$/, /^\/api\/auth(\/|$)/, /^\/api\/health$/, /^\/client\/v4(\/|$)/, /^\/api\/v1(\/|$)/, /^\/_next\//, /^\/cdn-cgi\/pki\/crl\/[^/]+$/];
/** Next's development overlay endpoints (`next dev` only). */
const DEV_PATHS = [/^\/__nextjs/];
/**
 * Console route handlers (downloads, and the JSON the browser polls for live data under /api/console): refused with
 * 401 like the handlers themselves do, not sent to /login.
 */
const CONSOLE_ROUTE_HANDLERS = [/^\/nginx-export\/download$/, /^\/access-controls\/service-credentials\/mutual-tls\/[^/]+\/pem$/, /^\/api\/console(\/|$)/];

/** The same words the server actions answer a signed-out caller with. */
const SESSION_ENDED = "Your session has ended. Sign in again.";

/**
 * Console authentication, before anything renders. The layout's own check runs in parallel with the
 * page, whose data could already be in the streamed body of the redirect; here a request without a
 * verified session cookie never reaches a page: pages get a 307 to /login (back here afterwards) with
 * nothing rendered, server actions and route handlers a 401. Only the cookie's seal and expiry are
 * checked here (no query per request); pages and loaders check the session row and the user against
 * the database (an ended session, a deleted or demoted user): this is the first line, not the only one.
 */
async function signedOut(request: NextRequest): Promise<Response | null> {
  const { pathname, search } = request.nextUrl;
  if (PUBLIC_PATHS.some((p) => p.test(pathname))) return null;
  if (process.env.NODE_ENV !== "production" && DEV_PATHS.some((p) => p.test(pathname))) return null;
  if (await hasVerifiedSession(request.cookies)) return null;
  // Server actions (Next-Action header, or a form posted before JS loaded) and downloads cannot follow a redirect usefully.
  const navigation = request.method === "GET" || request.method === "HEAD";
  if (!navigation || request.headers.has("next-action") || CONSOLE_ROUTE_HANDLERS.some((p) => p.test(pathname))) return plain(401, SESSION_ENDED);
  const login = new URL("/login", request.url);
  login.searchParams.set("callbackUrl", safeCallbackPath(pathname + search));
  return new Response(null, { status: 307, headers: { location: login.toString(), "cache-control": "no-store" } });
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

/**
 * Next's assets and the public files a browser or crawler fetches before anyone signs in (public/: the icons
 * and robots.txt) skip the proxy: they hold nothing of the console, and a sign-in redirect would break them.
 * The file names are matched whole, so no other path can ride on them past the session check.
 */
export const config = {
  matcher: [{ source: "/((?!_next/static|_next/image|(?:favicon\\.ico|icon\\.svg|apple-touch-icon\\.png|robots\\.txt)$).*)" }],
};
