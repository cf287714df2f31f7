import { NextRequest } from "next/server";
import { describe, expect, it } from "vitest";
import { proxy } from "@/proxy";

const HOST = "console.example.com";

function req(path: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new NextRequest(`https://${HOST}${path}`, { method: init.method ?? "GET", headers: { host: HOST, ...init.headers } });
}
const action = (headers: Record<string, string> = {}) => req("/settings", { method: "POST", headers: { "next-action": "7f00", ...headers } });
const passes = (r: Response) => r.headers.get("x-middleware-next") === "1";

describe("proxy: cross-origin server actions", () => {
  it("lets a same-origin action through, by Origin or (without Origin) by Referer", () => {
    expect(passes(proxy(action({ origin: `https://${HOST}` })))).toBe(true);
    expect(passes(proxy(action({ referer: `https://${HOST}/settings` })))).toBe(true);
    expect(passes(proxy(action({ origin: `https://${HOST.toUpperCase()}` })))).toBe(true);
  });

  it("lets a request with neither Origin nor Referer through (Next.js does too: no browser credentials ride on it)", () => {
    expect(passes(proxy(action()))).toBe(true);
  });

  it("judges against X-Forwarded-Host when a reverse proxy sets it", () => {
    expect(passes(proxy(action({ origin: "https://portal.example.com", "x-forwarded-host": "portal.example.com, inner" })))).toBe(true);
    expect(proxy(action({ origin: `https://${HOST}`, "x-forwarded-host": "portal.example.com" })).status).toBe(403);
  });

  it("refuses a foreign Origin, a foreign Referer, an opaque origin and a multipart form post from elsewhere: 403, plain text", async () => {
    const foreign: Record<string, string>[] = [{ origin: "https://evil.example" }, { referer: "https://evil.example/x" }, { origin: "null" }, { origin: `https://${HOST}:8443` }];
    for (const headers of foreign) {
      const r = proxy(action(headers));
      expect(r.status, JSON.stringify(headers)).toBe(403);
      expect(r.headers.get("content-type")).toBe("text/plain");
      expect(await r.text()).toMatch(new RegExp(`^Refused: this form was sent from .+, not from ${HOST}\\. Nothing was changed\\.`));
    }
    const mpa = proxy(req("/login", { method: "POST", headers: { origin: "https://evil.example", "content-type": "multipart/form-data; boundary=x" } }));
    expect(mpa.status).toBe(403);
    expect(await mpa.text()).toContain("sent from evil.example, not from console.example.com");
  });

  it("keeps the CSP and HSTS headers on a refusal", () => {
    const r = proxy(action({ origin: "https://evil.example", "x-forwarded-proto": "https" }));
    expect(r.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(r.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("does not judge the origin of API requests: tokens from internal portals keep working", () => {
    const r = proxy(req("/client/v4/accounts/x/access/policies", { method: "POST", headers: { origin: "https://portal.internal", authorization: "Bearer x" } }));
    expect(passes(r)).toBe(true);
  });
});

describe("proxy: body size from Content-Length", () => {
  it("refuses a server action over the configured limit with 413 and the sizes", async () => {
    const r = proxy(action({ origin: `https://${HOST}`, "content-length": String(2 * 1024 * 1024 + 1) }));
    expect(r.status).toBe(413);
    expect(await r.text()).toBe("Refused: the submitted data is 2,097,153 bytes; the limit is 2 MiB (2,097,152 bytes). Nothing was changed.");
    expect(passes(proxy(action({ origin: `https://${HOST}`, "content-length": String(2 * 1024 * 1024) })))).toBe(true);
  });

  it("refuses an API body over 1 MiB with the API's own 413 envelope, for POST, PUT and PATCH", async () => {
    for (const method of ["POST", "PUT", "PATCH"]) {
      const r = proxy(req("/client/v4/accounts/x/access/policies", { method, headers: { "content-length": String(1024 * 1024 + 1) } }));
      expect(r.status).toBe(413);
      expect(await r.json()).toEqual({
        success: false,
        errors: [{ code: 6008, message: "access.api.error.invalid_request: The request body is larger than 1 MiB" }],
        messages: [],
        result: null,
      });
    }
    expect(passes(proxy(req("/api/v1/test-mtls", { method: "POST", headers: { "content-length": String(1024 * 1024) } })))).toBe(true);
  });

  it("leaves GET and bodies without Content-Length to the route (bounded where the body is read)", () => {
    expect(passes(proxy(req("/settings", { headers: { "content-length": "99999999" } })))).toBe(true);
    expect(passes(proxy(req("/client/v4/accounts/x/access/policies", { method: "POST", headers: { "transfer-encoding": "chunked" } })))).toBe(true);
  });
});
