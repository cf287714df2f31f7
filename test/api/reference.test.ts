import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { ApiReference } from "@/components/api/api-reference";
import { curlExample, fieldRows, readOpenApi, sampleValue, typeLabel, type OpenApiDocument } from "@/components/api/openapi";
import { buildOpenApiDocument } from "@/lib/openapi/document";

const doc = buildOpenApiDocument();
const model = readOpenApi(doc);
const ops = model.tags.flatMap((t) => t.operations);
const op = (operationId: string) => ops.find((o) => o.anchor === `op-${operationId}`)!;
const ACCOUNT = "0123456789abcdef0123456789abcdef";

describe("API reference: reading the OpenAPI document", () => {
  it("lists every operation once, under its tag, in the document's tag order", () => {
    const expected = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).filter((k) => k !== "servers").length, 0);
    expect(ops).toHaveLength(expected);
    expect(new Set(ops.map((o) => o.anchor)).size).toBe(ops.length);
    expect(model.tags.map((t) => t.name)).toEqual(doc.tags.map((t) => t.name));
    expect(model.tags[0].description).toBe("mTLS CA certificates and per-hostname settings");
  });

  it("resolves parameter references and merges them with the operation's own", () => {
    const get = op("access-applications-get-an-access-application");
    expect(get.parameters.map((p) => [p.name, p.in, p.required])).toEqual([
      ["account_id", "path", true],
      ["app_id", "path", true],
    ]);
    expect(get.parameters[0].description).toMatch(/account id/);
    const list = op("access-mtls-authentication-list-mtls-certificates");
    expect(list.parameters.find((p) => p.name === "per_page")).toMatchObject({ in: "query", required: false, schema: { maximum: 1000, default: 20 } });
  });

  it("gives Test mTLS its own server and its request body fields", () => {
    const t = op("portcullis-test-mtls");
    expect(t).toMatchObject({ method: "post", path: "/test-mtls", server: "/api/v1" });
    const rows = fieldRows(doc as OpenApiDocument, t.requestBody!.schema);
    const input = doc.components.schemas.TestMtlsInput as { properties: Record<string, unknown>; required: string[] };
    expect(rows.map((r) => r.name)).toEqual(Object.keys(input.properties));
    expect(rows.filter((r) => r.required).map((r) => r.name)).toEqual([]);
    // A client with no certificate is tested with a service token or an email: at least one of the three.
    expect(rows.filter((r) => r.requiredOneOf).map((r) => [r.name, r.requiredOneOf])).toEqual(
      ["certificate", "service_token_id", "email"].map((n) => [n, "one of certificate, service_token_id, email"]),
    );
    expect(rows.slice(0, 2).map((r) => [r.name, r.required])).toEqual([
      ["url", false],
      ["hostname", false],
    ]);
    expect(t.responses.map((r) => r.status)).toEqual(["200", "400", "401", "404", "413"]);
  });

  it("flattens nested objects, arrays, oneOf variants, allOf parts and nullable types into rows", () => {
    const d = doc as OpenApiDocument;
    const app = fieldRows(d, { $ref: "#/components/schemas/ApplicationInput" });
    expect(app.find((r) => r.name === "policies")!.schema).toHaveProperty("items.oneOf");
    expect(typeLabel(app.find((r) => r.name === "policies")!.schema)).toBe("array of one of: string (uuid) · object");
    expect(app.find((r) => r.name === "policies[].id")).toMatchObject({ required: true, variant: "option 2" });
    const settings = fieldRows(d, { $ref: "#/components/schemas/HostnameSettingsUpdate" });
    expect(settings.map((r) => r.name)).toEqual(["settings"]); // items are a reference: a link, not copied in
    expect(typeLabel(settings[0].schema)).toBe("array of HostnameSetting");
    const appPolicy = fieldRows(d, { $ref: "#/components/schemas/AppPolicy" });
    expect(appPolicy.map((r) => r.name)).toEqual(["precedence"]);
    const result = fieldRows(d, { $ref: "#/components/schemas/TestMtlsResult" });
    expect(typeLabel(result.find((r) => r.name === "application.path")!.schema)).toBe("string | null");
    expect(result.find((r) => r.name === "applications_considered[].matched")).toMatchObject({ required: true, depth: 1 });
    expect(typeLabel(result.find((r) => r.name === "access_decision")!.schema)).toBe("enum (string)");
  });

  it("terminates on a schema that refers to itself", () => {
    const loop = {
      openapi: "3.1.0",
      info: { title: "t", version: "1" },
      paths: {},
      components: { schemas: { Node: { type: "object", required: ["children"], properties: { children: { type: "array", items: { $ref: "#/components/schemas/Node" } } } } } },
    } satisfies OpenApiDocument;
    expect(fieldRows(loop, { $ref: "#/components/schemas/Node" }).map((r) => r.name)).toEqual(["children"]);
    expect(sampleValue(loop, { $ref: "#/components/schemas/Node" })).toEqual({ children: [{}] });
  });
});

describe("API reference: example requests", () => {
  it("curl carries the Bearer token, the account id, other path parameters as variables and a body that fits", () => {
    const put = op("access-applications-update-an-access-application");
    const curl = curlExample(doc as OpenApiDocument, put, "https://pc.example", { account_id: ACCOUNT });
    expect(curl.split(" \\\n")).toEqual([
      `curl -s -X PUT "https://pc.example/client/v4/accounts/${ACCOUNT}/access/apps/$APP_ID"`,
      `  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`,
      `  -H "Content-Type: application/json"`,
      `  --data '{"type":"self_hosted","domain":"string"}'`,
    ]);
    const policy = curlExample(doc as OpenApiDocument, op("access-policies-create-an-access-reusable-policy"), "https://pc.example", { account_id: ACCOUNT });
    const body = JSON.parse(policy.slice(policy.indexOf("--data '") + 8, -1));
    expect(body).toEqual({ name: "mTLS devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  });

  it("Test mTLS goes to its own server; a GET has no method flag and no body", () => {
    const t = curlExample(doc as OpenApiDocument, op("portcullis-test-mtls"), "http://127.0.0.1:3000");
    expect(t).toContain(`curl -s -X POST "http://127.0.0.1:3000/api/v1/test-mtls"`);
    expect(t).toContain(`--data '{"certificate":"string"}'`);
    const verify = curlExample(doc as OpenApiDocument, op("user-api-tokens-verify-token"), "http://h");
    expect(verify).toBe(`curl -s "http://h/client/v4/user/tokens/verify" \\\n  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`);
  });
});

describe("API reference: the rendered page", () => {
  const html = renderToStaticMarkup(createElement(ApiReference, { document: doc, origin: "https://pc.example", accountId: ACCOUNT }));

  it("shows every operation, every schema, and every in-page link has its target", () => {
    for (const o of ops) expect(html).toContain(`id="${o.anchor}"`);
    for (const name of Object.keys(doc.components.schemas)) expect(html).toContain(`>${name}</h4>`);
    const ids = new Set([...html.matchAll(/ id="([^"]+)"/g)].map((m) => m[1]));
    const targets = [...html.matchAll(/href="#([^"]+)"/g)].map((m) => m[1]);
    expect(targets.length).toBeGreaterThan(ops.length);
    expect(targets.filter((t) => !ids.has(t))).toEqual([]);
  });

  it("keeps the region and heading names the docs rely on", () => {
    expect(html).toMatch(/<section aria-labelledby="reference-heading"[^>]*>\s*<h2 id="reference-heading"[^>]*>Interactive reference<\/h2>/);
    expect(html).toContain(">Portcullis API</h3>");
    expect(html).toContain("Bearer $PORTCULLIS_API_TOKEN");
  });

  it("prints no placeholder for a missing value", () => {
    expect(html).not.toMatch(/undefined|\[object Object\]|NaN/);
  });
});
