/**
 * Reads an OpenAPI 3.1 document into what the API page renders: operations grouped by tag (parameters and
 * request bodies with their references resolved), and JSON Schemas flattened into field rows. Server-only work:
 * nothing here is shipped to the browser, so the page's first-load JS does not grow with the document.
 */
import { z } from "zod";

export type Schema = Record<string, unknown>;

const looseObject = z.record(z.string(), z.unknown());
const refObject = z.object({ $ref: z.string() });
const serverObject = z.object({ url: z.string(), description: z.string().optional() });
const mediaMap = z.record(z.string(), z.object({ schema: looseObject.optional() }).loose());

const parameterObject = z
  .object({
    name: z.string(),
    in: z.enum(["path", "query", "header", "cookie"]),
    required: z.boolean().optional(),
    description: z.string().optional(),
    schema: looseObject.optional(),
  })
  .loose();
const responseObject = z
  .object({
    description: z.string(),
    content: mediaMap.optional(),
    headers: z.record(z.string(), z.object({ description: z.string().optional(), schema: looseObject.optional() }).loose()).optional(),
  })
  .loose();
const requestBodyObject = z.object({ required: z.boolean().optional(), description: z.string().optional(), content: mediaMap }).loose();
const operationObject = z
  .object({
    operationId: z.string().optional(),
    summary: z.string().optional(),
    description: z.string().optional(),
    tags: z.array(z.string()).optional(),
    parameters: z.array(z.union([refObject, parameterObject])).optional(),
    requestBody: z.union([refObject, requestBodyObject]).optional(),
    responses: z.record(z.string(), z.union([refObject, responseObject])),
    servers: z.array(serverObject).optional(),
    deprecated: z.boolean().optional(),
  })
  .loose();

const documentShape = z
  .object({
    openapi: z.string(),
    info: z.object({ title: z.string(), version: z.string(), description: z.string().optional() }).loose(),
    servers: z.array(serverObject).optional(),
    tags: z.array(z.object({ name: z.string(), description: z.string().optional() }).loose()).optional(),
    paths: z.record(z.string(), looseObject),
    components: z
      .object({
        schemas: z.record(z.string(), looseObject).optional(),
        parameters: z.record(z.string(), looseObject).optional(),
        requestBodies: z.record(z.string(), looseObject).optional(),
        responses: z.record(z.string(), looseObject).optional(),
        securitySchemes: z.record(z.string(), looseObject).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();

export type OpenApiDocument = z.infer<typeof documentShape>;

export const HTTP_METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required: boolean;
  description?: string;
  schema: Schema;
}

export interface ResponseInfo {
  status: string;
  description: string;
  contentType?: string;
  schema?: Schema;
  headers: { name: string; description?: string; schema: Schema }[];
}

export interface Operation {
  /** Unique anchor on the page. */
  anchor: string;
  method: HttpMethod;
  /** The path as the document writes it (relative to the operation's server). */
  path: string;
  /** The server the operation is served under (its own, its path's, or the document's). */
  server: string;
  summary: string;
  description?: string;
  deprecated: boolean;
  parameters: Parameter[];
  requestBody?: { required: boolean; description?: string; contentType: string; schema: Schema };
  responses: ResponseInfo[];
}

export interface TagGroup {
  name: string;
  anchor: string;
  description?: string;
  operations: Operation[];
}

export interface SecurityScheme {
  name: string;
  summary: string;
  description?: string;
}

export interface ApiModel {
  title: string;
  version: string;
  openapi: string;
  description?: string;
  /** The document's default server. */
  server: string;
  tags: TagGroup[];
  security: SecurityScheme[];
  schemas: { name: string; anchor: string; schema: Schema }[];
  doc: OpenApiDocument;
}

/** A string safe to use inside an id attribute and a URL fragment. */
export function slug(s: string): string {
  return s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "");
}

export const schemaAnchor = (name: string) => `schema-${slug(name)}`;

/** Follows a local JSON pointer ("#/components/schemas/Name"); undefined when it points nowhere. */
export function resolvePointer(doc: OpenApiDocument, ref: string): unknown {
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = doc;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** The last segment of a reference: the name a reader knows the schema by. */
export const refName = (ref: string) => decodeURIComponent(ref.slice(ref.lastIndexOf("/") + 1));

/** Follows references (a chain of them, but never round in a circle) to the object they name. */
function deref<T>(doc: OpenApiDocument, node: T | { $ref: string }): T | undefined {
  const seen = new Set<string>();
  let cur: unknown = node;
  while (cur && typeof cur === "object" && typeof (cur as { $ref?: unknown }).$ref === "string") {
    const ref = (cur as { $ref: string }).$ref;
    if (seen.has(ref)) return undefined;
    seen.add(ref);
    cur = resolvePointer(doc, ref);
  }
  return cur as T | undefined;
}

const JSON_TYPES = ["application/json"];
function pickMedia(content: Record<string, { schema?: Schema }> | undefined): { contentType: string; schema?: Schema } | undefined {
  if (!content) return undefined;
  const type = Object.keys(content).find((t) => JSON_TYPES.includes(t) || t.endsWith("+json")) ?? Object.keys(content)[0];
  return type ? { contentType: type, schema: content[type].schema } : undefined;
}

function readParameters(doc: OpenApiDocument, list: unknown[] | undefined): Parameter[] {
  const out: Parameter[] = [];
  for (const raw of list ?? []) {
    const p = parameterObject.safeParse(deref(doc, raw as Schema));
    if (!p.success) continue;
    out.push({ name: p.data.name, in: p.data.in, required: p.data.in === "path" || !!p.data.required, description: p.data.description, schema: p.data.schema ?? {} });
  }
  return out;
}

function readOperation(doc: OpenApiDocument, path: string, method: HttpMethod, pathItem: Schema, used: Set<string>): Operation {
  const op = operationObject.parse(pathItem[method]);
  // Path-level parameters apply unless the operation redefines the same name and location.
  const own = readParameters(doc, op.parameters);
  const shared = readParameters(doc, Array.isArray(pathItem.parameters) ? pathItem.parameters : undefined).filter(
    (p) => !own.some((o) => o.name === p.name && o.in === p.in),
  );
  const pathServers = z.array(serverObject).safeParse(pathItem.servers);
  const server = op.servers?.[0]?.url ?? (pathServers.success ? pathServers.data[0]?.url : undefined) ?? doc.servers?.[0]?.url ?? "/";
  let anchor = `op-${slug(op.operationId ?? `${method}-${path}`)}`;
  while (used.has(anchor)) anchor += "-";
  used.add(anchor);
  const body = op.requestBody ? requestBodyObject.safeParse(deref(doc, op.requestBody)) : undefined;
  const media = body?.success ? pickMedia(body.data.content) : undefined;
  const responses: ResponseInfo[] = Object.entries(op.responses).map(([status, raw]) => {
    const r = responseObject.safeParse(deref(doc, raw));
    if (!r.success) return { status, description: "", headers: [] };
    const m = pickMedia(r.data.content);
    const headers = Object.entries(r.data.headers ?? {}).map(([name, h]) => ({ name, description: h.description, schema: h.schema ?? {} }));
    return { status, description: r.data.description, contentType: m?.contentType, schema: m?.schema, headers };
  });
  responses.sort((a, b) => a.status.localeCompare(b.status));
  return {
    anchor,
    method,
    path,
    server,
    summary: op.summary ?? `${method.toUpperCase()} ${path}`,
    description: op.description,
    deprecated: !!op.deprecated,
    parameters: [...shared, ...own],
    requestBody: body?.success && media?.schema ? { required: !!body.data.required, description: body.data.description, contentType: media.contentType, schema: media.schema } : undefined,
    responses,
  };
}

function describeScheme(name: string, s: Schema): SecurityScheme {
  const str = (k: string) => (typeof s[k] === "string" ? (s[k] as string) : undefined);
  let summary = str("type") ?? "unknown";
  if (s.type === "http") summary = `Authorization: ${str("scheme") === "bearer" ? "Bearer" : (str("scheme") ?? "")} <token>`;
  else if (s.type === "apiKey") summary = `${str("in") ?? "header"} ${str("name") ?? name}`;
  return { name, summary, description: str("description") };
}

/** Validates the document's shape and groups its operations by tag, in the document's tag order. */
export function readOpenApi(input: unknown): ApiModel {
  const doc = documentShape.parse(input);
  const used = new Set<string>();
  const groups = new Map<string, TagGroup>();
  const group = (name: string) => {
    let g = groups.get(name);
    if (!g) {
      g = { name, anchor: `tag-${slug(name)}`, description: doc.tags?.find((t) => t.name === name)?.description, operations: [] };
      groups.set(name, g);
    }
    return g;
  };
  for (const t of doc.tags ?? []) group(t.name);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of HTTP_METHODS) {
      if (!item[method]) continue;
      const op = readOperation(doc, path, method, item, used);
      // Listed once, under its first tag, so every operation has one anchor on the page.
      group(operationObject.parse(item[method]).tags?.[0] ?? "Other").operations.push(op);
    }
  }
  return {
    title: doc.info.title,
    version: doc.info.version,
    openapi: doc.openapi,
    description: doc.info.description,
    server: doc.servers?.[0]?.url ?? "/",
    tags: [...groups.values()].filter((g) => g.operations.length > 0),
    security: Object.entries(doc.components?.securitySchemes ?? {}).map(([n, s]) => describeScheme(n, s)),
    schemas: Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) => ({ name, anchor: schemaAnchor(name), schema })),
    doc,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const asSchemas = (v: unknown): Schema[] => (Array.isArray(v) ? v.filter((s): s is Schema => !!s && typeof s === "object") : []);
const asSchema = (v: unknown): Schema | undefined => (v && typeof v === "object" && !Array.isArray(v) ? (v as Schema) : undefined);

/** A JSON value as a short literal for a type cell. */
export const literal = (v: unknown) => JSON.stringify(v) ?? String(v);

/** The kind of composition a schema uses, if any. */
export function composition(s: Schema): { kind: "oneOf" | "anyOf" | "allOf"; parts: Schema[] } | undefined {
  for (const kind of ["oneOf", "anyOf", "allOf"] as const) {
    const parts = asSchemas(s[kind]);
    if (parts.length) return { kind, parts };
  }
  return undefined;
}

/**
 * `anyOf: [{ required: [a] }, { required: [b] }]` on an object: not variants with fields of their own but "at least
 * one of these fields". The field lists, or undefined when the schema's composition is anything else.
 */
export function requiredAlternatives(s: Schema): string[][] | undefined {
  const c = composition(s);
  if (!c || c.kind === "allOf") return undefined;
  const lists = c.parts.map((p) => (Object.keys(p).length === 1 && Array.isArray(p.required) ? (p.required as string[]) : null));
  return lists.every((l): l is string[] => l !== null) ? lists : undefined;
}

/** A short type for a schema: `string`, `string | null`, `array of Rule`, `one of: string · object`, `"self_hosted"`. */
export function typeLabel(s: Schema): string {
  if (typeof s.$ref === "string") return refName(s.$ref);
  if ("const" in s) return literal(s.const);
  const c = composition(s);
  if (c) {
    const words = { oneOf: "one of", anyOf: "any of", allOf: "all of" }[c.kind];
    return `${words}: ${c.parts.map(typeLabel).join(" · ")}`;
  }
  const types = Array.isArray(s.type) ? (s.type as string[]) : typeof s.type === "string" ? [s.type] : [];
  const label = (t: string) => {
    if (t === "array") {
      const items = asSchema(s.items);
      return items ? `array of ${typeLabel(items)}` : "array";
    }
    if (t === "string" && typeof s.format === "string") return `string (${s.format})`;
    return t;
  };
  if (types.length) return types.map(label).join(" | ");
  if (Array.isArray(s.enum)) return `enum (${typeof s.enum[0] === "number" ? "number" : "string"})`;
  if (asSchema(s.properties)) return "object";
  if (asSchema(s.items)) return label("array");
  return "any";
}

/** Validation keywords in words, in a fixed order. */
export function constraints(s: Schema): string[] {
  const out: string[] = [];
  const num = (k: string) => (typeof s[k] === "number" ? (s[k] as number) : undefined);
  const pairs: [string, string][] = [
    ["minimum", "≥"],
    ["exclusiveMinimum", ">"],
    ["maximum", "≤"],
    ["exclusiveMaximum", "<"],
  ];
  for (const [k, sym] of pairs) if (num(k) !== undefined) out.push(`${sym} ${num(k)}`);
  const range = (min: string, max: string, unit: string) => {
    const lo = num(min);
    const hi = num(max);
    if (lo !== undefined && hi !== undefined) out.push(lo === hi ? `exactly ${lo} ${unit}` : `${lo}–${hi} ${unit}`);
    else if (lo !== undefined) out.push(`at least ${lo} ${unit}`);
    else if (hi !== undefined) out.push(`at most ${hi} ${unit}`);
  };
  range("minLength", "maxLength", "characters");
  range("minItems", "maxItems", "items");
  range("minProperties", "maxProperties", "properties");
  if (s.uniqueItems === true) out.push("unique items");
  if (typeof s.pattern === "string") out.push(`pattern ${s.pattern}`);
  if (s.additionalProperties === false) out.push("no other properties");
  if ("default" in s) out.push(`default ${literal(s.default)}`);
  return out;
}

/** The allowed values of an enum, when the schema (or the items of an array schema) lists them. */
export function enumValues(s: Schema): unknown[] | undefined {
  if (Array.isArray(s.enum)) return s.enum;
  const items = asSchema(s.items);
  return items && Array.isArray(items.enum) ? items.enum : undefined;
}

export interface FieldRow {
  /** Dotted path: `settings[].hostname`. */
  name: string;
  depth: number;
  schema: Schema;
  required: boolean;
  /** "one of certificate, email": the field, or another of these, must be given. */
  requiredOneOf?: string;
  /** "In option 2: " when the field belongs to one variant of a oneOf/anyOf. */
  variant?: string;
}

const MAX_DEPTH = 6;

/**
 * A schema's fields as rows, nested objects and array items inline (`include[]`, `settings[].hostname`), one
 * level per object. References stay references (the reader follows the link to the schema): that keeps every table
 * finite, even for a schema that refers to itself.
 */
export function fieldRows(doc: OpenApiDocument, root: Schema): FieldRow[] {
  const rows: FieldRow[] = [];
  const visit = (s: Schema, prefix: string, depth: number, variant: string | undefined) => {
    if (depth > MAX_DEPTH || typeof s.$ref === "string") return;
    const props = asSchema(s.properties);
    const required = new Set(Array.isArray(s.required) ? (s.required as string[]) : []);
    const alternatives = requiredAlternatives(s);
    const oneOf = alternatives ? `one of ${[...new Set(alternatives.flat())].join(", ")}` : undefined;
    if (props) {
      for (const [key, raw] of Object.entries(props)) {
        const child = asSchema(raw) ?? {};
        const name = prefix ? `${prefix}.${key}` : key;
        const requiredOneOf = alternatives?.some((l) => l.includes(key)) ? oneOf : undefined;
        rows.push({ name, depth, schema: child, required: required.has(key), ...(requiredOneOf ? { requiredOneOf } : {}), variant });
        visit(child, name, depth + 1, variant);
      }
    }
    const items = asSchema(s.items);
    if (items && typeof items.$ref !== "string" && (asSchema(items.properties) || composition(items))) visit(items, `${prefix}[]`, depth, variant);
    const c = alternatives ? undefined : composition(s);
    if (c) {
      c.parts.forEach((part, i) => {
        // allOf parts all apply; a oneOf/anyOf variant's fields apply only when that variant is chosen.
        visit(part, prefix, depth, c.kind === "allOf" ? variant : `option ${i + 1}`);
      });
    }
  };
  visit(deref<Schema>(doc, root) ?? root, "", 0, undefined);
  return rows;
}

/** The references an allOf at the top of a schema pulls in (their fields are listed under their own names). */
export function inheritedRefs(s: Schema): string[] {
  return asSchemas(s.allOf)
    .map((p) => p.$ref)
    .filter((r): r is string => typeof r === "string");
}

/** The first example a schema gives (`examples[0]`, or the older `example`). */
export function schemaExample(s: Schema): { value: unknown } | undefined {
  if (Array.isArray(s.examples) && s.examples.length) return { value: s.examples[0] };
  if ("example" in s) return { value: s.example };
  return undefined;
}

const FORMAT_SAMPLES: Record<string, string> = {
  uuid: "00000000-0000-4000-8000-000000000000",
  "date-time": "2026-01-01T00:00:00Z",
  date: "2026-01-01",
  email: "user@example.com",
  uri: "https://example.com/",
  hostname: "app.example.com",
};

/**
 * A value that fits the schema, for example requests: the schema's own example when it has one, otherwise its
 * required fields filled with their examples, defaults or a placeholder per type.
 */
export function sampleValue(doc: OpenApiDocument, s: Schema, seen: ReadonlySet<string> = new Set()): unknown {
  if (typeof s.$ref === "string") {
    if (seen.has(s.$ref)) return {};
    const target = asSchema(resolvePointer(doc, s.$ref));
    return target ? sampleValue(doc, target, new Set([...seen, s.$ref])) : {};
  }
  const ex = schemaExample(s);
  if (ex) return ex.value;
  if ("const" in s) return s.const;
  if ("default" in s) return s.default;
  if (Array.isArray(s.enum) && s.enum.length) return s.enum[0];
  const alternatives = requiredAlternatives(s);
  const c = alternatives ? undefined : composition(s);
  if (c && c.kind !== "allOf") return sampleValue(doc, c.parts[0], seen);
  if (c) return Object.assign({}, ...c.parts.map((p) => sampleValue(doc, p, seen)).filter((v) => v && typeof v === "object"));
  const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== "null") : (s.type as string | undefined);
  const props = asSchema(s.properties);
  if (type === "object" || (!type && props)) {
    const required = [...(Array.isArray(s.required) ? (s.required as string[]) : []), ...(alternatives?.[0] ?? [])];
    return Object.fromEntries(required.map((k) => [k, sampleValue(doc, asSchema(props?.[k]) ?? {}, seen)]));
  }
  if (type === "array") {
    const items = asSchema(s.items);
    return items ? [sampleValue(doc, items, seen)] : [];
  }
  if (type === "integer" || type === "number") return typeof s.minimum === "number" ? s.minimum : 1;
  if (type === "boolean") return false;
  if (type === "null") return null;
  if (type === "string") return (typeof s.format === "string" && FORMAT_SAMPLES[s.format]) || "string";
  return null;
}

// ---------------------------------------------------------------------------------------------------------------
// Example requests

/** `http://host` + a server URL that may be relative ("/client/v4") or absolute. */
export function serverUrl(origin: string, server: string): string {
  try {
    return new URL(server, `${origin}/`).href.replace(/\/$/, "");
  } catch {
    return origin;
  }
}

const shellQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const envName = (param: string) => param.toUpperCase().replace(/[^A-Z0-9]+/g, "_");

/**
 * A curl command for the operation with the Bearer token from the environment: the account id filled in, other
 * path parameters as shell variables, and a request body that fits the schema.
 */
export function curlExample(doc: OpenApiDocument, op: Operation, origin: string, known: Record<string, string> = {}): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => known[name] ?? `$${envName(name)}`);
  const lines = [`curl -s${op.method === "get" ? "" : ` -X ${op.method.toUpperCase()}`} "${serverUrl(origin, op.server)}${path}"`];
  lines.push(`  -H "Authorization: Bearer $PORTCULLIS_API_TOKEN"`);
  if (op.requestBody) {
    lines.push(`  -H "Content-Type: ${op.requestBody.contentType}"`);
    lines.push(`  --data ${shellQuote(JSON.stringify(sampleValue(doc, op.requestBody.schema)))}`);
  }
  return lines.join(" \\\n");
}
