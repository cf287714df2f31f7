import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { normalizeHostname, normalizeHostnames, parseAppDomain } from "./hostname";

const VALID_HOST_RE = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

describe("normalizeHostname: accepted", () => {
  const cases: [string, string, string | undefined][] = [
    ["auth.example.com", "auth.example.com", undefined],
    ["  Auth.Example.COM  ", "auth.example.com", undefined],
    ["bücher.example", "xn--bcher-kva.example", undefined],
    ["BÜCHER.example", "xn--bcher-kva.example", undefined],
    ["xn--bcher-kva.example", "xn--bcher-kva.example", undefined],
    ["münchen.de", "xn--mnchen-3ya.de", undefined],
    ["a-b.c-d.example", "a-b.c-d.example", undefined],
    ["1password.com", "1password.com", undefined],
    ["x.io", "x.io", undefined],
    ["https://Auth.Example.com:443/path?x", "auth.example.com", "Reduced https://Auth.Example.com:443/path?x to auth.example.com"],
    ["http://auth.example.com", "auth.example.com", "Reduced http://auth.example.com to auth.example.com"],
    ["https://user:pw@auth.example.com/", "auth.example.com", "Reduced https://user:pw@auth.example.com/ to auth.example.com"],
    ["auth.example.com:8443", "auth.example.com", "Reduced auth.example.com:8443 to auth.example.com"],
    ["auth.example.com/admin", "auth.example.com", "Reduced auth.example.com/admin to auth.example.com"],
    ["auth.example.com?x=1", "auth.example.com", "Reduced auth.example.com?x=1 to auth.example.com"],
    ["example.com.", "example.com", "Removed the trailing dot from example.com."],
  ];
  it.each(cases)("%j → %j", (input, hostname, notice) => {
    const r = normalizeHostname(input);
    expect(r).toEqual(notice ? { ok: true, hostname, notice } : { ok: true, hostname });
  });

  it("accepts a 63-character label and a 253-character name", () => {
    const l63 = "a".repeat(63);
    expect(normalizeHostname(`${l63}.com`)).toEqual({ ok: true, hostname: `${l63}.com` });
    const name = [l63, l63, l63, "b".repeat(61)].join("."); // 63*3 + 61 + 3 dots = 253
    expect(name.length).toBe(253);
    expect(normalizeHostname(name)).toEqual({ ok: true, hostname: name });
  });
});

describe("normalizeHostname: refused", () => {
  const cases: [string, string][] = [
    ["", "Hostname must not be empty"],
    ["   ", "Hostname must not be empty"],
    ["auth..example.com", `"auth..example.com" is not a valid hostname: empty label`],
    [".example.com", `".example.com" is not a valid hostname: empty label`],
    ["localhost", "needs at least one dot"],
    ["1.2.3.4", "IP addresses are not allowed"],
    ["http://10.0.0.1/", "IP addresses are not allowed"],
    ["[::1]", "IP addresses are not allowed"],
    ["2001:db8::1", "IP addresses are not allowed"],
    ["https://[2001:db8::1]:443/", "IP addresses are not allowed"],
    ["example.123", "the last label must not be numeric"],
    ["a_b.example.com", `label "a_b" may contain only letters, digits and hyphens`],
    ["-a.example.com", `label "-a" must not start or end with a hyphen`],
    ["a-.example.com", `label "a-" must not start or end with a hyphen`],
    ["auth example.com", "must not contain spaces"],
    ["*.example.com", "wildcards are not allowed here"],
    ["auth.*.example.com", "wildcards are not allowed here"],
    ["xn--zz.example", "invalid punycode"],
    ["auth.example.com:port", `"port" is not a port number`],
    ["ex%41.com", "may contain only letters, digits and hyphens"],
    [`${"a".repeat(64)}.com`, "longer than 63 characters"],
    [Array(64).fill("abc").join("."), "longer than 253 characters"],
    ["http://", "cannot be parsed"],
  ];
  it.each(cases)("%j → %s", (input, msg) => {
    const r = normalizeHostname(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });

  it("names the input in the message", () => {
    expect(normalizeHostname("auth..example.com")).toEqual({ ok: false, error: `"auth..example.com" is not a valid hostname: empty label` });
  });
  it("survives non-string input", () => {
    expect(normalizeHostname(42 as unknown as string).ok).toBe(false);
  });
});

describe("normalizeHostname: wildcards", () => {
  it("accepts a leading wildcard label only with allowWildcard", () => {
    expect(normalizeHostname("*.Example.com", { allowWildcard: true })).toEqual({ ok: true, hostname: "*.example.com" });
    expect(normalizeHostname("*.bücher.example", { allowWildcard: true })).toEqual({ ok: true, hostname: "*.xn--bcher-kva.example" });
  });
  it.each(["a.*.example.com", "*a.example.com", "a*.example.com", "*.com", "*", "*.*.example.com"])("refuses %j", (input) => {
    expect(normalizeHostname(input, { allowWildcard: true }).ok).toBe(false);
  });
});

describe("normalizeHostnames", () => {
  it("dedupes after normalisation, keeps order, skips blanks, collects notices and errors", () => {
    const r = normalizeHostnames(["B.example.com", "a.example.com", "", "https://b.example.com/x", "bad..host", "  "]);
    expect(r.hostnames).toEqual(["b.example.com", "a.example.com"]);
    expect(r.notices).toEqual(["Reduced https://b.example.com/x to b.example.com", "Removed duplicate hostname b.example.com"]);
    expect(r.errors).toEqual([{ input: "bad..host", error: `"bad..host" is not a valid hostname: empty label` }]);
  });
  it("returns empty results for an empty list", () => {
    expect(normalizeHostnames([])).toEqual({ hostnames: [], notices: [], errors: [] });
  });
});

describe("parseAppDomain", () => {
  const ok: [string, string, string, string, boolean][] = [
    ["app.example.com", "app.example.com", "/", "app.example.com", false],
    ["app.example.com/", "app.example.com", "/", "app.example.com", false],
    ["App.Example.com/admin", "app.example.com", "/admin", "app.example.com/admin", false],
    ["app.example.com/admin/", "app.example.com", "/admin", "app.example.com/admin", false],
    ["app.example.com//a//b//", "app.example.com", "/a/b", "app.example.com/a/b", false],
    ["app.example.com/Case/Kept", "app.example.com", "/Case/Kept", "app.example.com/Case/Kept", false],
    ["*.example.com/api", "*.example.com", "/api", "*.example.com/api", false],
    ["https://App.example.com/admin/?x=1#y", "app.example.com", "/admin", "app.example.com/admin", true],
    ["app.example.com:8443/admin", "app.example.com", "/admin", "app.example.com/admin", true],
    ["app.example.com?x", "app.example.com", "/", "app.example.com", true],
  ];
  it.each(ok)("%j → host %j path %j", (input, host, path, domain, notice) => {
    const r = parseAppDomain(input);
    expect(r).toMatchObject({ ok: true, host, path, domain });
    if (r.ok) expect(r.notice !== undefined).toBe(notice);
  });
  it.each([
    ["", "Domain must not be empty"],
    ["app..example.com/x", `"app..example.com/x" is not a valid domain: empty label`],
    ["app.example.com/a b", "the path contains characters that are not allowed"],
    ["10.0.0.1/admin", "IP addresses are not allowed"],
    ["intranet/admin", "needs at least one dot"],
  ])("refuses %j", (input, msg) => {
    const r = parseAppDomain(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });
});

describe("properties", () => {
  const hostish = fc.stringMatching(/^[A-Za-z0-9.\-*:/_ üé@?#[\]%]{0,80}$/);
  it("normalizeHostname never throws; output is a valid hostname or an error", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: "grapheme" }), hostish), fc.boolean(), (input, allowWildcard) => {
        const r = normalizeHostname(input, { allowWildcard });
        if (r.ok) {
          const h = allowWildcard && r.hostname.startsWith("*.") ? r.hostname.slice(2) : r.hostname;
          expect(h).toMatch(VALID_HOST_RE);
          expect(r.hostname.length).toBeLessThanOrEqual(253);
          expect(h).not.toMatch(/^\d+(\.\d+){3}$/);
        } else {
          expect(r.error.length).toBeGreaterThan(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
  it("is idempotent on valid hostnames", () => {
    const label = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/);
    fc.assert(
      fc.property(fc.array(label, { minLength: 1, maxLength: 4 }), fc.stringMatching(/^[a-z]{2,6}$/), (labels, tld) => {
        const host = [...labels, tld].join(".");
        const r = normalizeHostname(host.toUpperCase());
        expect(r).toEqual({ ok: true, hostname: host });
        expect(normalizeHostname(host)).toEqual({ ok: true, hostname: host });
      }),
    );
  });
  it("parseAppDomain never throws; domain is host or host + path", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), hostish), (input) => {
        const r = parseAppDomain(input);
        if (r.ok) {
          expect(r.path.startsWith("/")).toBe(true);
          expect(r.path === "/" || !r.path.endsWith("/")).toBe(true);
          expect(r.domain).toBe(r.path === "/" ? r.host : r.host + r.path);
          expect(r.path).not.toMatch(/[?#]/);
        }
      }),
      { numRuns: 1000 },
    );
  });
});
