import { API_OPERATIONS, type ApiOperation } from "./routes";
import { clientCertificateSchemas } from "./client-certificates";
import { schemas } from "./schemas";
import { serviceTokenSchemas } from "./service-tokens";
import { blockedCertificateSchemas } from "./blocked-certificates";
import { revocationSchemas } from "./revocation";
import { testMtlsPath, testMtlsSchemas } from "./test-mtls";

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });

function envelope(op: ApiOperation) {
  const result = op.list ? { type: "array", items: ref(op.result) } : ref(op.result);
  return {
    type: "object",
    required: ["success", "errors", "messages", "result"],
    properties: {
      success: { const: true },
      errors: { type: "array", maxItems: 0 },
      messages: { type: "array", items: ref("Message") },
      result,
      ...(op.list ? { result_info: ref("ResultInfo") } : {}),
    },
  };
}

const failure = (description: string) => ({ description, content: { "application/json": { schema: ref("Failure") } } });

const OPTIONAL_BODIES = new Set(["ServiceTokenRotate", "ClientCertificateEdit"]);

function operation(op: ApiOperation) {
  const parameters: unknown[] = [];
  if (op.path.includes("{account_id}")) parameters.push({ $ref: "#/components/parameters/account_id" });
  if (op.path.includes("{zone_id}")) parameters.push({ $ref: "#/components/parameters/zone_id" });
  if (op.idParam) parameters.push({ name: op.idParam, in: "path", required: true, schema: { type: "string", format: "uuid" } });
  if (op.paged) parameters.push({ $ref: "#/components/parameters/page" }, { $ref: "#/components/parameters/per_page" });
  for (const q of op.query ?? []) parameters.push({ name: q.name, in: "query", description: q.description, schema: { type: "string", maxLength: 1000 } });
  const responses: Record<string, unknown> = {
    [op.status]: { description: "Success", content: { "application/json": { schema: envelope(op) } } },
    "400": failure("Invalid request: one error per problem, `access.api.error.invalid_request: <reason>`"),
    "401": failure("Missing, invalid, expired or revoked API token"),
    "404": failure("Unknown account id, zone id or resource"),
    "429": { ...failure("Rate limited; see Retry-After"), headers: { "Retry-After": { schema: { type: "integer" } } } },
    "503": { ...failure("Database unavailable. Code 10013: nothing was changed, retry after Retry-After seconds. Code 10014 (with x-should-retry: false): the connection was lost while a write committed, so it may or may not have been saved; read the resource before retrying"), headers: { "Retry-After": { schema: { type: "integer" } } } },
  };
  if (op.write) responses["403"] = failure("Read-only token, or the token's owner is a viewer");
  if (op.write) responses["409"] = failure("Conflict (name taken, policy in use, stale); sent with x-should-retry: false");
  if (op.body) responses["413"] = failure("Request body over 1 MiB");
  return {
    operationId: op.operationId,
    summary: op.summary,
    tags: [op.tag],
    parameters,
    // Rotate's body is optional (no body: the previous secret stops at once), and so is reactivate's.
    ...(op.body ? { requestBody: { required: !OPTIONAL_BODIES.has(op.body), content: { "application/json": { schema: ref(op.body) } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document for /client/v4, built from API_OPERATIONS and the schemas. */
export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of API_OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  paths["/test-mtls"] = testMtlsPath;
  return {
    openapi: "3.1.0",
    info: {
      title: "Portcullis API",
      version: "4",
      description:
        "Cloudflare-compatible (v4 wire format) API for mTLS certificates, hostname settings, reusable Access policies, self-hosted applications, service tokens and client certificates issued by the managed CA. " +
        "Point the official `cloudflare` SDK at `baseURL: https://<host>/client/v4`. Create API tokens under Settings → API tokens.",
    },
    servers: [{ url: "/client/v4" }],
    security: [{ bearer: [] }, { email: [], key: [] }],
    tags: [
      { name: "Mutual TLS", description: "mTLS CA certificates and per-hostname settings" },
      { name: "Policies", description: "Reusable Access policies" },
      { name: "Applications", description: "Self-hosted Access applications" },
      { name: "Service tokens", description: "Client ID + Client Secret pairs that services send as CF-Access-Client-Id / CF-Access-Client-Secret to the gateway" },
      { name: "Client certificates", description: "Zone-scoped (one zone per installation, Settings → Zone ID): client certificates issued by the managed CA from a CSR, revoked and reactivated; the hostnames a CA is associated with" },
      { name: "Blocked certificates", description: "Instant lock: client certificates the gateway refuses on every application, before any policy, without a CRL" },
      { name: "API tokens", description: "Token verification" },
      { name: "Test mTLS", description: "Would this client certificate get in at this URL, and why (served under /api/v1)" },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer", description: "Authorization: Bearer <API token> (pc_…)" },
        email: { type: "apiKey", in: "header", name: "X-Auth-Email", description: "Email of the token's owner (with X-Auth-Key)" },
        key: { type: "apiKey", in: "header", name: "X-Auth-Key", description: "An API token of that user" },
      },
      parameters: {
        account_id: {
          name: "account_id",
          in: "path",
          required: true,
          description: "This instance's account id (Settings → Account ID)",
          schema: { type: "string", pattern: "^[0-9a-f]{32}$", maxLength: 32 },
        },
        zone_id: {
          name: "zone_id",
          in: "path",
          required: true,
          description: "This instance's one zone (Settings → Zone ID)",
          schema: { type: "string", pattern: "^[0-9a-f]{32}$", maxLength: 32 },
        },
        page: { name: "page", in: "query", schema: { type: "integer", minimum: 1, default: 1 } },
        per_page: { name: "per_page", in: "query", schema: { type: "integer", minimum: 1, maximum: 1000, default: 20 } },
      },
      schemas: { ...schemas, ...serviceTokenSchemas, ...clientCertificateSchemas, ...testMtlsSchemas, ...blockedCertificateSchemas, ...revocationSchemas },
    },
  };
}
