import { describe, expect, it } from "vitest";
import { parseCredentials } from "@/lib/api/auth";
import { MAX_BODY_BYTES, readJsonBody } from "@/lib/api/body";
import { failure, success } from "@/lib/api/envelope";
import { ApiError, domainErrorToApi } from "@/lib/api/errors";
import { routeMethods } from "@/lib/api/handler";
import { buildResultInfo, paginateArray, parsePageParams } from "@/lib/api/pagination";
import { parseRateLimitSpec } from "@/lib/env.mjs";
import { generateTokenSecret, hashTokenSecret, looksLikeToken } from "@/lib/domain/api-tokens";

describe("envelope", () => {
  it("wraps results and lists as Cloudflare does, always as JSON", async () => {
    const res = success({ id: "x" }, { status: 201 });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ success: true, errors: [], messages: [], result: { id: "x" } });
    const listed = await success([1, 2], { resultInfo: buildResultInfo({ page: 2, perPage: 2 }, 2, 5) }).json();
    expect(listed.result_info).toEqual({ page: 2, per_page: 2, count: 2, total_count: 5, total_pages: 3 });
  });

  it("failures carry errors, null result, and x-should-retry:false on 409", async () => {
    const res = failure(409, [{ code: 12133, message: "taken" }]);
    expect(res.headers.get("x-should-retry")).toBe("false");
    expect(await res.json()).toEqual({ success: false, errors: [{ code: 12133, message: "taken" }], messages: [], result: null });
  });
});

describe("domain errors → API", () => {
  it("gives one invalid_request error per problem with a JSON pointer", () => {
    const e = domainErrorToApi({ kind: "validation", message: "Check", fieldErrors: { name: ["Name is required"], associated_hostnames: ["a: bad", "b: bad"] } });
    expect(e.status).toBe(400);
    expect(e.errors).toEqual([
      { code: 12130, message: "access.api.error.invalid_request: Name is required", source: { pointer: "/name" } },
      { code: 12130, message: "access.api.error.invalid_request: a: bad", source: { pointer: "/associated_hostnames" } },
      { code: 12130, message: "access.api.error.invalid_request: b: bad", source: { pointer: "/associated_hostnames" } },
    ]);
  });
  it("maps kinds to statuses", () => {
    const s = (kind: Parameters<typeof domainErrorToApi>[0]["kind"]) => domainErrorToApi({ kind, message: "m" });
    expect(s("not_found").status).toBe(404);
    expect(s("forbidden").status).toBe(403);
    expect(s("unauthenticated").status).toBe(401);
    expect(s("conflict").status).toBe(409);
    expect(s("conflict").headers?.["x-should-retry"]).toBe("false");
    expect(s("stale").status).toBe(409);
    expect(s("unavailable").status).toBe(503);
    expect(s("unavailable").headers?.["retry-after"]).toBeDefined();
  });
});

describe("pagination", () => {
  const url = (q: string) => new URL(`http://x/y?${q}`);
  it("defaults and honours page/per_page", () => {
    expect(parsePageParams(url(""))).toEqual({ page: 1, perPage: 20 });
    expect(parsePageParams(url("page=3&per_page=50"))).toEqual({ page: 3, perPage: 50 });
  });
  it("refuses nonsense with one message per problem", () => {
    try {
      parsePageParams(url("page=abc&per_page=5000"));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).errors.map((x) => x.message)).toEqual([
        'access.api.error.invalid_request: page must be a positive whole number (got "abc")',
        "access.api.error.invalid_request: per_page must be at most 1000",
      ]);
    }
    expect(() => parsePageParams(url("page=0"))).toThrow(/at least 1/);
  });
  it("returns an empty page past the end", () => {
    expect(paginateArray([1, 2, 3], { page: 2, perPage: 2 })).toEqual({ items: [3], total: 3 });
    expect(paginateArray([1, 2, 3], { page: 5, perPage: 2 })).toEqual({ items: [], total: 3 });
  });
});

describe("credentials", () => {
  const h = (o: Record<string, string>) => new Headers(o);
  it("accepts Bearer, email+key and the user service key", () => {
    expect(parseCredentials(h({ authorization: "Bearer abc" }))).toEqual({ kind: "token", secret: "abc" });
    expect(parseCredentials(h({ authorization: "bearer   abc" }))).toEqual({ kind: "token", secret: "abc" });
    expect(parseCredentials(h({ "x-auth-email": "a@b.c", "x-auth-key": "k" }))).toEqual({ kind: "token", secret: "k", email: "a@b.c" });
    expect(parseCredentials(h({ "x-auth-user-service-key": "s" }))).toEqual({ kind: "token", secret: "s" });
    expect(parseCredentials(h({}))).toEqual({ kind: "none" });
  });
  it("explains malformed headers", () => {
    expect(parseCredentials(h({ authorization: "Basic xyz" }))).toMatchObject({ kind: "malformed" });
    expect(parseCredentials(h({ "x-auth-key": "k" }))).toMatchObject({ kind: "malformed", reason: /together/ });
  });
  it("generates pc_ + 40 base62 secrets and hashes them", () => {
    const a = generateTokenSecret();
    expect(a).toMatch(/^pc_[0-9A-Za-z]{40}$/);
    expect(looksLikeToken(a)).toBe(true);
    expect(generateTokenSecret()).not.toBe(a);
    expect(hashTokenSecret(a)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("request bodies", () => {
  const req = (body: BodyInit | null, headers: Record<string, string> = {}) =>
    new Request("http://x/y", { method: "POST", body, headers, duplex: "half" } as RequestInit);
  it("parses a JSON object", async () => {
    expect(await readJsonBody(req('{"a":1}'))).toEqual({ a: 1 });
  });
  it("refuses malformed JSON, non-objects and empty bodies with 400", async () => {
    for (const body of ["{bad", "[1]", "", "null"]) {
      const e = await readJsonBody(req(body)).catch((x) => x);
      expect(e).toBeInstanceOf(ApiError);
      expect((e as ApiError).status).toBe(400);
      expect((e as ApiError).errors[0].message).toMatch(/^access\.api\.error\.invalid_request: /);
    }
  });
  it("refuses over 1 MiB from Content-Length and while streaming", async () => {
    const declared = await readJsonBody(req("{}", { "content-length": String(MAX_BODY_BYTES + 1) })).catch((x) => x);
    expect((declared as ApiError).status).toBe(413);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        sent += 64 * 1024;
        c.enqueue(new Uint8Array(64 * 1024).fill(32));
        if (sent > 4 * MAX_BODY_BYTES) c.close();
      },
    });
    const streamed = await readJsonBody(req(stream)).catch((x) => x);
    expect((streamed as ApiError).status).toBe(413);
    expect(sent).toBeLessThan(2 * MAX_BODY_BYTES);
  });
});

describe("rate limit", () => {
  it("parses the env format", () => {
    expect(parseRateLimitSpec("100")).toEqual({ max: 100, windowSeconds: 300 });
    expect(parseRateLimitSpec("10/30")).toEqual({ max: 10, windowSeconds: 30 });
    expect(parseRateLimitSpec("10/2m")).toEqual({ max: 10, windowSeconds: 120 });
    // Refused at start-up (lib/env.mjs) rather than silently replaced by the default.
    expect(parseRateLimitSpec("garbage")).toBeUndefined();
    expect(parseRateLimitSpec("0/60")).toBeUndefined();
  });
});

describe("routeMethods", () => {
  it("answers unimplemented methods with a JSON 405 and Allow", async () => {
    const m = routeMethods({ GET: async () => success(1) });
    const res = await m.DELETE(new Request("http://x/client/v4/a", { method: "DELETE" }), { params: Promise.resolve({}) });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET");
    expect((await res.json()).success).toBe(false);
  });
});
