import { readdirSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "@/lib/openapi/document";

/** Route files under app/client/v4 → OpenAPI-style paths ("[account_id]" → "{account_id}"). */
function routeFiles(dir: string, prefix = ""): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) out.push(...routeFiles(full, `${prefix}/${name}`));
    else if (name === "route.ts") out.push(prefix);
  }
  return out;
}

describe("OpenAPI document", () => {
  const doc = buildOpenApiDocument();
  it("is OpenAPI 3.1 with bearer auth", () => {
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: "http", scheme: "bearer" });
  });
  it("documents every route file (except the catch-all and itself)", () => {
    const files = routeFiles(path.resolve(__dirname, "../../app/client/v4"))
      .filter((p) => !p.includes("[[...") && p !== "/openapi.json")
      .map((p) => p.replace(/\[([a-z_]+)\]/g, "{$1}"));
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const p of files) expect(Object.keys(doc.paths)).toContain(p);
  });
  it("documents the zone-scoped client-certificate routes with the zone_id parameter (PATCH reactivates, body optional)", () => {
    const certs = doc.paths["/zones/{zone_id}/client_certificates/{client_certificate_id}"] as Record<string, { parameters: unknown[]; requestBody?: { required: boolean } }>;
    expect(Object.keys(certs).sort()).toEqual(["delete", "get", "patch"]);
    expect(certs.patch.parameters).toContainEqual({ $ref: "#/components/parameters/zone_id" });
    expect(certs.patch.requestBody?.required).toBe(false);
    expect(Object.keys(doc.paths["/zones/{zone_id}/certificate_authorities/hostname_associations"]).sort()).toEqual(["get", "put"]);
    expect(doc.components.parameters.zone_id.schema).toMatchObject({ pattern: "^[0-9a-f]{32}$" });
  });
  it("resolves every $ref", () => {
    const refs = JSON.stringify(doc).match(/"#\/components\/[a-zA-Z]+\/[A-Za-z_]+"/g) ?? [];
    for (const r of refs) {
      const [, , kind, name] = JSON.parse(r).split("/");
      expect((doc.components as Record<string, Record<string, unknown>>)[kind][name], r).toBeDefined();
    }
  });
});
