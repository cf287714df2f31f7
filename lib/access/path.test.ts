import { describe, expect, it } from "vitest";
import { appPathKey, normalizePath, normalizeTarget, pathCovers } from "./path";

const H = "auth.example.com";
const ok = (target: string, host = H) => {
  const r = normalizeTarget(target, host);
  if (!r.ok) throw new Error(`${target}: ${r.error}`);
  return r;
};
const refused = (target: string, host = H) => {
  const r = normalizeTarget(target, host);
  expect(r.ok, target).toBe(false);
  return r.ok ? "" : r.error;
};

describe("normalizeTarget", () => {
  it("keeps simple paths as they are (the fast path) and lower-cases only the key", () => {
    const t = "/x/Y-z_~.txt";
    const r = ok(t);
    expect(r).toEqual({ ok: true, path: t, query: "", target: t, key: "/x/y-z_~.txt" });
    expect(ok("/").key).toBe("/");
    expect(ok("/a/b?Q=1#").target).toBe("/a/b?Q=1#");
  });

  it.each([
    // [target, forwarded path, key]
    ["/public/../secret", "/secret", "/secret"],
    ["/public/%2e%2e/secret", "/secret", "/secret"],
    ["/public/%2E./secret", "/secret", "/secret"],
    ["/Admin", "/Admin", "/admin"],
    ["/%61dmin", "/admin", "/admin"],
    ["//admin", "/admin", "/admin"],
    ["/x/../admin", "/admin", "/admin"],
    ["/./admin", "/admin", "/admin"],
    ["/%2e/admin", "/admin", "/admin"],
    ["/admin;x", "/admin;x", "/admin"],
    ["/admin;jsessionid=1/p", "/admin;jsessionid=1/p", "/admin/p"],
    ["/admin%3Bx", "/admin%3Bx", "/admin"],
    ["/a/b/..", "/a/", "/a"],
    ["/a/.", "/a/", "/a"],
    ["/../../a", "/a", "/a"],
    ["/..", "/", "/"],
    ["/a//b///", "/a/b/", "/a/b"],
    ["/a%7e%41%20b%3f", "/a~A%20b%3F", "/a~a b?"],
    ["/caf%c3%a9", "/caf%C3%A9", "/caf\u00c3\u00a9"],
  ])("%s → forwards %s, matches %s", (target, path, key) => {
    const r = ok(target);
    expect(r.path).toBe(path);
    expect(r.key).toBe(key);
  });

  it("keeps the original query and appends it to the normalised path", () => {
    expect(ok("/x/../Admin?a=%2F&b=..").target).toBe("/Admin?a=%2F&b=..");
    expect(ok("/x/../Admin?a=%2F&b=..").query).toBe("?a=%2F&b=..");
  });

  it("uses the path of an absolute-form target only when its authority is the Host header", () => {
    expect(ok("http://auth.example.com/admin").target).toBe("/admin");
    expect(ok("HTTPS://Auth.Example.com:8443/a/../admin?x", "auth.example.com:8443").target).toBe("/admin?x");
    expect(ok("http://auth.example.com?x").target).toBe("/?x");
    expect(refused("http://other.example.com/admin")).toMatch(/not the Host header/);
    expect(refused("http://auth.example.com:444/admin")).toMatch(/not the Host header/);
    expect(refused("ftp://auth.example.com/admin")).toMatch(/scheme/);
    expect(refused("*")).toMatch(/asterisk/);
    expect(refused("admin")).toMatch(/must be a path/);
  });

  it.each([
    ["/public/..%2fsecret", /%2F/],
    ["/public/..%2Fsecret", /%2F/],
    ["/a%5cb", /%5C/],
    ["/a%00", /NUL/],
    ["/a\\b", /"\\"/],
    ["/a#b", /fragment/],
    ["/a%zz", /not a valid percent-escape/],
    ["/a%4", /not a valid percent-escape/],
    ["/a\u0001", /control/],
    ["/caf\u00e9", /non-ASCII/],
    ["/x/..;/admin", /dot segment with parameters/],
    ["/.;x/admin", /dot segment with parameters/],
    ["/%2e%2e;/admin", /dot segment with parameters/],
    ["/;x/admin", /parameters but no name/],
  ])("refuses %s", (target, error) => {
    expect(refused(target)).toMatch(error);
  });
});

describe("matching", () => {
  const covers = (app: string, target: string) => pathCovers(appPathKey(app), ok(target).key);

  it("matches on segment boundaries, case-insensitively, with parameters ignored", () => {
    expect(covers("/admin", "/admin")).toBe(true);
    expect(covers("/admin", "/admin/")).toBe(true);
    expect(covers("/admin", "/admin/x")).toBe(true);
    expect(covers("/admin", "/ADMIN/x")).toBe(true);
    expect(covers("/Admin", "/admin")).toBe(true);
    expect(covers("/admin", "/admin;x/y")).toBe(true);
    expect(covers("/admin", "/administrator")).toBe(false);
    expect(covers("/admin", "/x/admin")).toBe(false);
    expect(covers("/a/b", "/a/x/../b/c")).toBe(true);
    expect(covers("", "/anything")).toBe(true);
    expect(covers("/", "/anything")).toBe(true);
  });

  it("normalises application paths like request paths", () => {
    expect(appPathKey("/Admin/")).toBe("/admin");
    expect(appPathKey("/%61dmin")).toBe("/admin");
    expect(appPathKey("/a%2Fb")).toBe("/a%2fb");
    expect(normalizePath("x")).toEqual({ ok: false, error: "the path must start with /" });
  });
});
