/**
 * fast-check arbitraries for the REST API fuzz test (api-bodies.ts): valid-shaped bodies per route kind, and
 * hostile input (deep nesting, hostile strings, prototype-pollution keys, content types).
 */
import fc from "fast-check";
import type { SmallPki } from "./helpers";

export type BodyShape = "policy" | "app" | "certCreate" | "certUpdate" | "settings" | "crl" | "revocationSettings";

const json = (v: unknown) => JSON.stringify(v);

/** Valid-shaped random bodies per route kind; ids and PEMs come from the test's fixtures when generated. */
export function validShapes(ctx: { fixture: { policyId: string; hostname: string; crlUrl: string }; pki: () => SmallPki }): Record<BodyShape, fc.Arbitrary<Record<string, unknown>>> {
  const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  const hostname = fc.tuple(fc.array(label, { minLength: 1, maxLength: 3 }), fc.constantFrom("example.com", "test.internal", "corp.example")).map(([ls, d]) => [...ls, d].join("."));
  const text = fc.oneof(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ unit: "grapheme", minLength: 1, maxLength: 20 }));
  const duration = fc.constantFrom("24h", "30m", "1h30m", "15m", "720h", undefined);
  const ipCidr = fc.oneof(fc.ipV4().map((ip) => `${ip}/32`), fc.tuple(fc.ipV4(), fc.integer({ min: 0, max: 32 })).map(([ip, n]) => `${ip}/${n}`), fc.ipV6());
  const rule = fc.oneof(
    fc.constant({ everyone: {} }),
    fc.constant({ certificate: {} }),
    ipCidr.map((ip) => ({ ip: { ip } })),
    text.map((cn) => ({ common_name: { common_name: cn } })),
    fc.emailAddress().map((email) => ({ email: { email } })),
    hostname.map((domain) => ({ email_domain: { domain } })),
  );
  const policyBody = fc.record(
    {
      name: text,
      decision: fc.constantFrom("allow", "deny", "bypass", "non_identity"),
      include: fc.array(rule, { minLength: 1, maxLength: 4 }),
      require: fc.array(rule, { maxLength: 2 }),
      exclude: fc.array(rule, { maxLength: 2 }),
      session_duration: duration,
    },
    { requiredKeys: ["name", "decision", "include"] },
  );
  const appBody = fc.record(
    {
      name: text,
      domain: fc.tuple(hostname, fc.option(fc.stringMatching(/^\/[a-z0-9/_-]{0,20}$/), { nil: "" })).map(([h, p]) => h + p),
      type: fc.constant("self_hosted"),
      session_duration: duration,
      origin_url: fc.option(fc.tuple(fc.constantFrom("http", "https"), fc.ipV4(), fc.integer({ min: 1, max: 65535 })).map(([s, ip, port]) => `${s}://${ip}:${port}`), { nil: null }),
      policies: fc.array(fc.oneof(fc.constant(null), fc.uuid()), { maxLength: 3 }).map((ids) => ids.map((id) => id ?? ctx.fixture.policyId)),
    },
    { requiredKeys: ["domain"] },
  );
  const certCreateBody = fc.record(
    {
      name: text,
      certificate: fc.constantFrom("root", "intermediate", "chain").map((k) => (k === "root" ? ctx.pki().rootPem : k === "intermediate" ? ctx.pki().intermediatePem : ctx.pki().intermediatePem + ctx.pki().rootPem)),
      associated_hostnames: fc.array(fc.oneof(hostname, fc.constant(ctx.fixture.hostname)), { maxLength: 4 }),
    },
    { requiredKeys: ["name", "certificate"] },
  );
  const certUpdateBody = fc.record(
    { name: text, associated_hostnames: fc.array(fc.oneof(hostname, fc.constant(ctx.fixture.hostname)), { maxLength: 4 }).map((hs) => [ctx.fixture.hostname, ...hs]) },
    { requiredKeys: ["associated_hostnames"] },
  );
  const settingsBody = fc
    .array(fc.record({ hostname: fc.oneof(fc.constant(ctx.fixture.hostname), hostname), client_certificate_forwarding: fc.boolean(), china_network: fc.boolean() }), { maxLength: 4 })
    .map((settings) => ({ settings }));
  // The root's CRL as PEM or base64 DER; or a URL: the fixture's CRL server (its CRL, or a 404), nothing listening,
  // or "" (removes it). Nothing leaves the machine.
  const crlBody = fc.oneof(
    fc.constantFrom("pem", "der").map((k) => ({ crl: k === "pem" ? ctx.pki().rootCrlPem : ctx.pki().rootCrlPem.replace(/-----[^-]+-----|\s/g, "") })),
    fc.constantFrom("ok", "missing", "refused", "").map((k) => ({ crl_url: k === "ok" ? ctx.fixture.crlUrl : k === "missing" ? `${ctx.fixture.crlUrl}.missing` : k === "refused" ? "http://127.0.0.1:9/ca.crl" : "" })),
  );
  const revocationSettingsBody = fc
    .array(fc.record({ hostname: fc.oneof(fc.constant(ctx.fixture.hostname), hostname), crl_stale_mode: fc.constantFrom("block", "allow"), ocsp: fc.boolean() }), { minLength: 1, maxLength: 4 })
    .map((settings) => ({ settings }));
  return {
    policy: policyBody,
    app: appBody,
    certCreate: certCreateBody,
    certUpdate: certUpdateBody,
    settings: settingsBody,
    crl: crlBody,
    revocationSettings: revocationSettingsBody,
  } as Record<BodyShape, fc.Arbitrary<Record<string, unknown>>>;
}

/** Nested `depth` levels deep: arrays, objects, or both. */
export function deepText(depth: number, kind: "array" | "object" | "mixed"): string {
  let open = "";
  let close = "";
  for (let i = 0; i < depth; i++) {
    const arr = kind === "array" || (kind === "mixed" && i % 2 === 0);
    open += arr ? "[" : '{"a":';
    close = (arr ? "]" : "}") + close;
  }
  return `${open}1${close}`;
}

export const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }).map((s) => `${s}\u0000${s}`),
  fc.constantFrom("\u0000", "a\u0000b", "\ud800", "\udfff\ud800", "\u202e", "\ufeff", "%00", "\\u0000", "../../etc/passwd", "'; drop table policies; --", "${7*7}", "<script>alert(1)</script>"),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.integer({ min: 1000, max: 200_000 }).map((n) => "x".repeat(n)),
);

export const PROTO_KEYS = ["__proto__", "constructor", "prototype"];
export const pollution = fc.constantFrom(
  { __proto__: { polluted: "yes", isAdmin: true } },
  { constructor: { prototype: { polluted: "yes" } } },
  { prototype: { polluted: "yes" } },
  { __proto__: null },
  { constructor: null },
  { __proto__: [] },
  { __proto__: "x" },
);

// JSON.stringify drops a literal __proto__ key; write it as text so the server sees it as a JSON key.
export function withKeys(body: Record<string, unknown>, extra: Record<string, unknown>, nestedIn?: string): string {
  const extraText = Object.keys(extra).length ? Object.entries(extra).map(([k, v]) => `${json(k)}:${json(v)}`).join(",") : "";
  const wrap = (obj: Record<string, unknown>) => {
    const inner = json(obj);
    if (!extraText) return inner;
    return inner === "{}" ? `{${extraText}}` : `{${extraText},${inner.slice(1)}`;
  };
  if (!nestedIn) return wrap(body);
  const copy = { ...body };
  const target = copy[nestedIn];
  if (Array.isArray(target) && target.length && typeof target[0] === "object" && target[0]) {
    return json({ ...copy, [nestedIn]: "__NESTED__" }).replace('"__NESTED__"', `[${wrap(target[0] as Record<string, unknown>)}${target.length > 1 ? "," + target.slice(1).map(json).join(",") : ""}]`);
  }
  return json({ ...copy, [nestedIn]: "__NESTED__" }).replace('"__NESTED__"', wrap({}));
}

export const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=x",
  "application/octet-stream",
  "application/xml",
  "",
  "application/json; charset=utf-16",
  null,
] as const;
