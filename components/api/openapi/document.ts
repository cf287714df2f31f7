/**
 * The OpenAPI 3.1 document's shape (validated with zod, unknown keys kept) and what the API page renders from it:
 * operations grouped by tag, their parameters and request bodies with references resolved.
 */
import { z } from "zod";
import { deref, schemaAnchor, slug } from "./pointer";

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
