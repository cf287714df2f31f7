import { randomUUID } from "node:crypto";
import { encode } from "next-auth/jwt";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it, vi } from "vitest";
import { proxy } from "@/proxy";

const HOST = "console.example.com";
const SECRET = "proxy-test-secret-0123456789abcdef";
let session = "";

beforeAll(async () => {
  vi.stubEnv("AUTH_SECRET", SECRET);
  session = `next-auth.session-token=${await encode({ token: { uid: randomUUID() }, secret: SECRET })}`;
});

function req(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new NextRequest(`https://${HOST}${path}`, { method: init.method ?? "GET", headers: { host: HOST, ...init.headers } });
}
/** A server action from a signed-in browser (the session cookie is what the console requires first). */
const action = (headers: Record<string, string> = {}) => req("/settings", { method: "POST", headers: { "next-action": "7f00", cookie: session, ...headers } });
const passes = (r: Response) => r.headers.get("x-middleware-next") === "1";

describe("proxy: cross-origin server actions", () => {
  it("lets a same-origin action through, by Origin or (without Origin) by Referer", async () => {
    expect(passes(await proxy(action({ origin: `https://${HOST}` })))).toBe(true);
    expect(passes(await proxy(action({ referer: `https://${HOST}/settings` })))).toBe(true);
    expect(passes(await proxy(action({ origin: `https://${HOST.toUpperCase()}` })))).toBe(true);
  });

  it("lets a request with neither Origin nor Referer through (Next.js does too: no browser credentials ride on it)", async () => {
    expect(passes(await proxy(action()))).toBe(true);
  });

  it("judges against X-Forwarded-Host when a reverse proxy sets it", async () => {
    expect(passes(await proxy(action({ origin: "https://portal.example.com", "x-forwarded-host": "portal.example.com, inner" })))).toBe(true);
    expect((await proxy(action({ origin: `https://${HOST}`, "x-forwarded-host": "portal.example.com" }))).status).toBe(403);
  });

  it("refuses a foreign Origin, a foreign Referer, an opaque origin and a multipart form post from elsewhere: 403, plain text", async () => {
    const foreign: Record<string, string>[] = [{ origin: "https://evil.example" }, { referer: "https://evil.example/x" }, { origin: "null" }, { origin: `https://${HOST}:8443` }];
    for (const headers of foreign) {
      const r = await proxy(action(headers));
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.headers.get("content-type")).toBe("text/plain");
      expect(await r.text()).toMatch(new RegExp(`^Refused: this form was sent from .+, not from ${HOST}\\. Nothing was changed\\.`));
    }
    const mpa = await proxy(req("/login", { method: "POST", headers: { origin: "https://evil.example", "content-type": "multipart/form-data; boundary=x" } }));
    expect(mpa.status).toBe(403);
    expect(await mpa.text()).toContain("sent from evil.example, not from console.example.com");
  });

  it("keeps the CSP and HSTS headers on a refusal", async () => {
    const r = await proxy(action({ origin: "https://evil.example", "x-forwarded-proto": "https" }));
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(r.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("does not judge the origin of API requests: tokens from internal portals keep working", async () => {
    const r = await proxy(req("/client/v4/accounts/x/access/policies", { method: "POST", headers: { origin: "https://portal.internal", authorization: "Bearer x" } }));
    expect(passes(r)).toBe(true);
  });
});

describe("proxy: body size from Content-Length", () => {
  it("refuses a server action over the configured limit with 413 and the sizes", async () => {
    const r = await proxy(action({ origin: `https://${HOST}`, "content-length": String(2 * 1024 * 1024 + 1) }));
    expect(r.status).toBe(413);
    expect(await r.text()).toBe("Refused: the submitted data is 2,097,153 bytes; the limit is 2 MiB (2,097,152 bytes). Nothing was changed.");
    expect(passes(await proxy(action({ origin: `https://${HOST}`, "content-length": String(2 * 1024 * 1024) })))).toBe(true);
  });

  it("refuses an API body over 1 MiB with the API's own 413 envelope, for POST, PUT and PATCH", async () => {
    for (const method of ["POST", "PUT", "PATCH"]) {
      const r = await proxy(req("/client/v4/accounts/x/access/policies", { method, headers: { "content-length": String(1024 * 1024 + 1) } }));
      expect(r.status).toBe(413);
      expect(await r.json()).toEqual({
        success: false,
        errors: [{ code: 6008, message: "access.api.error.invalid_request: The request body is larger than 1 MiB" }],
        messages: [],
        result: null,
      });
    }
    expect(passes(await proxy(req("/api/v1/test-mtls", { method: "POST", headers: { "content-length": String(1024 * 1024) } })))).toBe(true);
  });

  it("leaves GET and bodies without Content-Length to the route (bounded where the body is read)", async () => {
    expect(passes(await proxy(req("/settings", { headers: { "content-length": "99999999", cookie: session } })))).toBe(true);
    expect(passes(await proxy(req("/client/v4/accounts/x/access/policies", { method: "POST", headers: { "transfer-encoding": "chunked" } })))).toBe(true);
  });
});

describe("proxy: console paths need a verified session cookie", () => {
  const signedOutCookies = async () => ({
    none: "",
    garbage: "next-auth.session-token=garbage; __Secure-next-auth.session-token=garbage",
    "wrong secret": `next-auth.session-token=${await encode({ token: { uid: randomUUID() }, secret: "some-other-instance-secret-0123456" })}`,
    expired: `next-auth.session-token=${await encode({ token: { uid: randomUUID() }, secret: SECRET, maxAge: -60 })}`,
    "no user": `next-auth.session-token=${await encode({ token: { name: "x" }, secret: SECRET })}`,
  });

  it("sends a signed-out page request to /login with no body, whatever the cookie", async () => {
    for (const [what, cookie] of Object.entries(await signedOutCookies())) {
      for (const path of ["/", "/audit-log?actor=a%40b.example&page=2", "/nginx-export", "/no/such/page", "/access-controls/policies/123"]) {
        const r = await proxy(req(path, { headers: cookie ? { cookie } : {} }));
        expect(r.status, `${what} ${path}`).toBe(307);
        expect(await r.text(), `${what} ${path}`).toBe("");
        const location = new URL(r.headers.get("location")!);
        expect(location.pathname).toBe("/login");
        expect(location.searchParams.get("callbackUrl")).toBe(path);
        expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
      }
    }
  });

  it("answers signed-out server actions, form posts and downloads 401 in plain text", async () => {
    for (const [what, cookie] of Object.entries(await signedOutCookies())) {
      const headers: Record<string, string> = cookie ? { cookie } : {};
      for (const r of [
        await proxy(req("/settings", { method: "POST", headers: { ...headers, "next-action": "7f00" } })),
        await proxy(req("/access-controls/policies", { method: "POST", headers: { ...headers, "content-type": "multipart/form-data; boundary=x" } })),
        await proxy(req("/nginx-export/download?file=nginx.conf", { headers })),
        await proxy(req("/access-controls/service-credentials/mutual-tls/abc/pem", { method: "HEAD", headers })),
        // The JSON the console's live parts poll: a fetch cannot use a redirect to the sign-in page.
        await proxy(req("/api/console/access-log?decision=deny", { headers })),
        await proxy(req("/api/console/overview/access-summary", { headers })),
      ]) {
        expect(r.status, what).toBe(401);
        expect(r.headers.get("content-type")).toBe("text/plain");
        expect(await r.text()).toBe("Your session has ended. Sign in again.");
      }
    }
  });

  it("lets a verified session through (plain and __Secure- cookie names)", async () => {
    const token = session.split("=")[1];
    expect(passes(await proxy(req("/audit-log", { headers: { cookie: session } })))).toBe(true);
    expect(passes(await proxy(req("/audit-log", { headers: { cookie: `__Secure-next-auth.session-token=${token}` } })))).toBe(true);
    expect(passes(await proxy(req("/audit-log", { headers: { cookie: `next-auth.session-token=garbage; __Secure-next-auth.session-token=${token}` } })))).toBe(true);
    expect(passes(await proxy(req("/api/console/alerts", { headers: { cookie: session } })))).toBe(true);
  });

  it("does not ask for a session on sign-in, next-auth, health, the token APIs and Next's assets", async () => {
    for (const path of ["/login", "/login?callbackUrl=%2Fsettings", "/api/auth/session", "/api/auth/callback/credentials", "/api/health", "/client/v4/accounts", "/api/v1/test-mtls", "/_next/static/chunks/x.js"]) {
      expect(passes(await proxy(req(path))), path).toBe(true);
    }
    // Look-alikes of public paths are console paths.
    for (const path of ["/login/x", "/loginx", "/api/healthz", "/api/authx", "/client/v40"]) {
      expect((await proxy(req(path))).status, path).toBe(307);
    }
  });
});

describe("proxy: the managed CA's published CRL", () => {
  it("is served without a session (DER and PEM), and only that one path segment is public", async () => {
    for (const path of ["/cdn-cgi/pki/crl/0b7c9a1e-2f3d-4c5b-8a6e-1d2c3b4a5f60.crl", "/cdn-cgi/pki/crl/0b7c9a1e-2f3d-4c5b-8a6e-1d2c3b4a5f60.pem"]) {
      expect(passes(await proxy(req(path))), path).toBe(true);
    }
    for (const path of ["/cdn-cgi/pki/crl", "/cdn-cgi/pki/crl/", "/cdn-cgi/pki/crl/a/b.crl", "/cdn-cgi/pki/crlx/a.crl", "/cdn-cgi/pki"]) {
      expect((await proxy(req(path))).status, path).toBe(307);
    }
  });
});
