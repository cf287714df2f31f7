/**
 * Hostile input for the REST API (/client/v4): every write route's handler — the same exports Next serves —
 * is called in-process with arbitrary JSON, arbitrary bytes under any content type, deep nesting, huge
 * strings, null bytes and prototype-pollution keys. Each answer must be a v4 envelope: 2xx with
 * `success:true`, or 4xx with `success:false` and `errors[{code,message}]` — never a 5xx, never a thrown
 * exception, never a hang (bounded), never a stack trace or a server path in the body. Valid-shaped random
 * bodies either succeed or fail with a specific error (a known code, not "Unknown"/"Internal").
 *
 * The two test files beside this one (`api-bodies-*.test.ts`) each run it for one area of the API, each in the
 * normal vitest suite on a fresh PGlite database of its own (test/helpers/setup-db): the access policies and
 * applications (with the token check and the catch-all), and the mTLS certificates and their hostname settings.
 * The routes, their fixtures and the envelope every answer must be are in ./api-routes; the cases on path ids and
 * credentials in ./api-bodies-ids.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { API_CODES } from "@/lib/api/errors";
import { MAX_BODY_BYTES } from "@/lib/api/body";
import { CONTENT_TYPES, deepText, hostileString, pollution, PROTO_KEYS, validShapes, withKeys } from "./api-arbitraries";
import { pathAndCredentialCases } from "./api-bodies-ids";
import { accountRoutes, checkEnvelope, seedFixtures, type Answer, type ApiArea, type Fixture, type Handler, type Route } from "./api-routes";
import { bounded, smallPki, type SmallPki } from "./helpers";

process.env.PORTCULLIS_API_RATE_LIMIT = "100000000/300";

/** Declares every hostile-input test for the routes of `area`; call it once, at the top of a test file. */
export function describeApiBodies(area: ApiArea) {
  let token: string;
  let accountId: string;
  let pki: SmallPki;
  const fixture: Fixture = { policyId: "", appId: "", certId: "", hostname: "fuzz-assoc.example.com", crlUrl: "" };
  let routes: Route[];
  let closeFixtures = () => {};
  /** route → status → answers, for the coverage line. */
  const counts = new Map<string, Record<number, number>>();
  /** Routes only some tests send to (the DELETEs, the token check), counted for the coverage line. */
  let extraRoutes = 0;
  const inArea = (rs: Route[]) => rs.filter((r) => r.area === area);

  beforeAll(async () => {
    pki = smallPki();
    ({ token, accountId, close: closeFixtures } = await seedFixtures(pki, fixture));
    routes = inArea(await accountRoutes(accountId, fixture));
  });
  afterAll(() => closeFixtures());

  async function send(
    route: Route,
    body: BodyInit | undefined,
    opts: { contentType?: string | null; params?: Record<string, string>; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const params = { account_id: accountId, ...(opts.params ?? route.params()) };
    const headers = new Headers(opts.headers ?? { authorization: `Bearer ${token}` });
    if (opts.contentType !== null) headers.set("content-type", opts.contentType ?? "application/json");
    const url = `http://127.0.0.1/client/v4${route.path(params)}`;
    const handler = route.mod[route.method] as Handler;
    const res = await bounded(`${route.name}`, async () => {
      const request = new Request(url, { method: route.method, headers, body });
      return handler(request, { params: Promise.resolve(params) });
    });
    const text = await res.text();
    const byStatus = counts.get(route.name) ?? {};
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    counts.set(route.name, byStatus);
    checkEnvelope(route, res, text);
    return { status: res.status, text, json: JSON.parse(text) };
  }

  const writeRoutes = () => routes.filter((r) => r.shape !== "none");
  /** The routes a request body can be sent to (a GET has none). */
  const bodyRoutes = () => routes.filter((r) => r.method !== "GET");
  const json = (v: unknown) => JSON.stringify(v);

  const shapes = validShapes({ fixture, pki: () => pki });
  const validShape = (route: Route): fc.Arbitrary<Record<string, unknown>> => (route.shape === "none" ? fc.constant({}) : shapes[route.shape]);

  const asObject = (b: unknown): Record<string, unknown> => b as Record<string, unknown>;

  const RUNS = Number(process.env.FUZZ_API_RUNS ?? 40);

  describe(`REST API bodies on hostile input: ${area}`, () => {
    it("arbitrary JSON: an envelope, never a 5xx", async () => {
      for (const route of bodyRoutes()) {
        await fc.assert(
          fc.asyncProperty(fc.jsonValue({ maxDepth: 4 }), async (v) => {
            const a = await send(route, json(v));
            // Anything but an object is refused before validation.
            if (v === null || typeof v !== "object" || Array.isArray(v)) expect(a.status).toBeGreaterThanOrEqual(400);
          }),
          { numRuns: RUNS },
        );
      }
    });

    it("arbitrary bytes under any content type (or none): an envelope, never a 5xx", async () => {
      for (const route of bodyRoutes()) {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(fc.uint8Array({ maxLength: 2000 }), fc.string({ unit: "binary", maxLength: 200 }).map((s) => new TextEncoder().encode(s))),
            fc.constantFrom(...CONTENT_TYPES),
            async (bytes, contentType) => {
              const a = await send(route, bytes, { contentType });
              if (route.shape !== "none" && a.status >= 400) expect(a.status).toBe(400);
            },
          ),
          { numRuns: RUNS },
        );
      }
    });

    it("empty, whitespace-only and non-object bodies: 400 with a message that says what to send", async () => {
      for (const route of writeRoutes()) {
        for (const body of [undefined, "", "   \n", "null", "[]", '"x"', "1e400", "true", "\u0000", "{", '{"a":1}x', "\ufeff{}"]) {
          const a = await send(route, body);
          if (body === "\ufeff{}") expect(a.status).toBe(400); // the BOM is dropped; then fields are missing
          else {
            expect(a.status, `${route.name} ${JSON.stringify(body)}`).toBe(400);
            expect(a.json.errors[0].code).toBe(API_CODES.malformedJson);
          }
        }
      }
    });

    it("deep nesting (up to 100 000 levels), at the top and inside each field: a 4xx, no stack overflow", async () => {
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(
            fc.constantFrom(100, 1000, 10_000, 100_000),
            fc.constantFrom<"array" | "object" | "mixed">("array", "object", "mixed"),
            validShape(route),
            fc.nat(),
            async (depth, kind, body, pick) => {
              const obj = asObject(body);
              const keys = Object.keys(obj);
              const field = keys.length ? keys[pick % keys.length] : "x";
              const deep = deepText(depth, kind);
              const text = pick % 3 === 0 ? deep : json({ ...obj, [field]: "__DEEP__" }).replace('"__DEEP__"', deep);
              const a = await send(route, text);
              expect(a.status, a.text.slice(0, 200)).toBeGreaterThanOrEqual(400);
            },
          ),
          { numRuns: Math.ceil(RUNS / 2) },
        );
      }
    });

    it("huge strings in any field: refused or stored, never a 5xx; over 1 MiB: 413", async () => {
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(validShape(route), fc.nat(), fc.integer({ min: 10_000, max: MAX_BODY_BYTES - 4096 }), async (body, pick, size) => {
            const obj = asObject(body);
            const keys = Object.keys(obj);
            const field = keys[pick % keys.length] ?? "name";
            const a = await send(route, json({ ...obj, [field]: "é".repeat(Math.floor(size / 2)) }));
            if (a.status < 300) expect(a.json.success).toBe(true);
          }),
          { numRuns: Math.ceil(RUNS / 4) },
        );
        const over = await send(route, json({ name: "x".repeat(MAX_BODY_BYTES + 1) }));
        expect(over.status).toBe(413);
        expect(over.json.errors[0].code).toBe(API_CODES.bodyTooLarge);
        // A lying or missing Content-Length is caught while streaming.
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            for (let i = 0; i < 20; i++) c.enqueue(new Uint8Array(128 * 1024).fill(0x20));
            c.close();
          },
        });
        const chunked = await bounded(route.name, () =>
          (route.mod[route.method] as Handler)(
            new Request(`http://127.0.0.1/client/v4${route.path({ account_id: accountId, ...route.params() })}`, {
              method: route.method,
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: stream,
              // @ts-expect-error Node's fetch needs duplex for streamed bodies
              duplex: "half",
            }),
            { params: Promise.resolve({ account_id: accountId, ...route.params() }) },
          ),
        );
        expect(chunked.status).toBe(413);
      }
    });

    it("null bytes, lone surrogates, control and binary characters in any string field: never a 5xx", async () => {
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(validShape(route), fc.nat(), hostileString, fc.boolean(), async (body, pick, bad, inList) => {
            const obj = asObject(body);
            const keys = Object.keys(obj);
            const field = keys[pick % keys.length] ?? "name";
            const value = inList && Array.isArray(obj[field]) ? [bad, ...(obj[field] as unknown[])] : bad;
            const a = await send(route, json({ ...obj, [field]: value }));
            if (bad.includes("\u0000") && typeof value === "string" && ["name", "domain", "hostname"].includes(field)) expect(a.status).toBeGreaterThanOrEqual(400);
          }),
          { numRuns: RUNS },
        );
      }
    });

    it("prototype-pollution keys (__proto__, constructor, prototype) at the top and nested: no pollution, an envelope", async () => {
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(validShape(route), pollution, fc.option(fc.constantFrom("include", "policies", "associated_hostnames", "settings", "name"), { nil: undefined }), async (body, extra, nested) => {
            const obj = asObject(body);
            const a = await send(route, withKeys(obj, extra, nested && nested in obj ? nested : undefined));
            if (a.status < 300) {
              const result = JSON.stringify(a.json.result);
              expect(result).not.toContain("polluted");
              expect(result).not.toContain("isAdmin");
            }
          }),
          { numRuns: Math.ceil(RUNS / 2) },
        );
        // A body that is nothing but pollution keys.
        for (const k of PROTO_KEYS) {
          const a = await send(route, `{${json(k)}:{"polluted":"yes"}}`);
          expect(a.status).toBe(400);
        }
      }
    });

    it("valid-shaped random bodies: success, or a specific error", async () => {
      let n = 0;
      for (const route of writeRoutes()) {
        await fc.assert(
          fc.asyncProperty(validShape(route), async (body) => {
            // The same seed gives each route the same domains: make them this request's own (conflicts are fuzzed elsewhere).
            if (route.shape === "app") body = { ...body, domain: `v${++n}.${body.domain as string}` };
            const a = await send(route, json(body));
            if (a.status >= 400) {
              expect([400, 404, 409], a.text).toContain(a.status);
              for (const e of a.json.errors) {
                expect([API_CODES.invalidRequest, API_CODES.notFound, API_CODES.conflict, API_CODES.limitExceeded], a.text).toContain(e.code);
                expect(e.message).toMatch(/^access\.api\.error\.\w+: \S/);
              }
            } else {
              expect(a.json.result, a.text).not.toBeNull();
            }
          }),
          { numRuns: RUNS * 2 },
        );
      }
      // Then each read answers what the writes left, and a DELETE of the fixture's CRL removes it or says there is none.
      for (const route of routes.filter((r) => r.method === "GET" || r.method === "DELETE")) {
        const a = await send(route, undefined);
        expect(route.method === "GET" ? [200] : [200, 404], a.text).toContain(a.status);
        if (a.status === 200) expect(a.json.result, a.text).not.toBeNull();
      }
    });

    pathAndCredentialCases({
      area,
      routes: () => routes,
      accountId: () => accountId,
      inArea,
      send,
      validShape,
      addExtraRoutes: (n) => (extraRoutes += n),
      runs: RUNS,
    });

    it("reached every route, and every write route both accepted and refused something", () => {
      console.log(`[fuzz api] answers per route and status: ${JSON.stringify(Object.fromEntries(counts))}`);
      expect(counts.size).toBeGreaterThanOrEqual(routes.length + extraRoutes);
      for (const route of writeRoutes()) {
        const statuses = Object.keys(counts.get(route.name) ?? {}).map(Number);
        expect(statuses.some((s) => s < 300), `${route.name} never succeeded`).toBe(true);
        expect(statuses.some((s) => s >= 400), `${route.name} never refused`).toBe(true);
      }
    });
  });
}
