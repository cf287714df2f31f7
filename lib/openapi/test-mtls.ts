/**
 * `POST /api/v1/test-mtls` in the OpenAPI document. It is served outside /client/v4 (it is Portcullis's own,
 * not part of Cloudflare's API), so its path item carries its own `servers` entry.
 */
type Schema = Record<string, unknown>;

const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const OUTCOMES = ["allow", "block", "bypass", "service_auth", "no_application", "misdirected", "unauthenticated", "sign_in"];

export const testMtlsSchemas: Record<string, Schema> = {
  TestMtlsInput: {
    type: "object",
    description:
      "What to test: `url` (its hostname and path select the application, the most specific path first and on whole " +
      "path segments, as the gateway does), or `hostname` (its whole-host application), or `application_id` (that " +
      "application's domain and path). With `url` and `hostname` or `application_id` together, their hosts must agree.",
    // A client that sends no certificate is tested with a service token or a signed-in email instead.
    anyOf: [{ required: ["certificate"] }, { required: ["service_token_id"] }, { required: ["email"] }],
    properties: {
      url: { type: "string", maxLength: 8192, description: "The address the client requests (http or https).", examples: ["https://app.example.com/admin"] },
      hostname: { type: "string", maxLength: 253, examples: ["auth.example.com"] },
      application_id: { type: "string", format: "uuid" },
      certificate: {
        type: "string",
        maxLength: 1048576,
        description:
          "PEM: the client certificate, optionally followed by the intermediates the client sends (or base64 DER). Never stored. " +
          "Required unless `service_token_id` or `email` is given: then it may be left out, as a client that sends no certificate.",
      },
      at: { type: "string", format: "date-time", description: "Validate at this instant instead of now." },
      ip: { type: "string", description: "The client's IP address (IPv4 or IPv6); without it, IP range rules do not match.", examples: ["192.0.2.10"] },
      sni: {
        type: "string",
        maxLength: 253,
        description:
          "The TLS server name (SNI) the client sends, when it is not the tested hostname; \"\" for none. When the two " +
          "hostnames ask for or check client certificates differently the gateway answers 421 (`access_decision` " +
          "`misdirected`); otherwise the certificate is validated for the SNI's CAs.",
        examples: ["other.example.com"],
      },
      service_token_id: {
        type: "string",
        maxLength: 100,
        description:
          "A service token's id or Client ID: decide as if its holder sent CF-Access-Client-Id and its current " +
          "CF-Access-Client-Secret. A disabled or expired token is refused with 401 before any policy (`access_decision` " +
          "`unauthenticated`).",
        examples: ["88bf3b6d86161464f6509f7219099e57.access"],
      },
      email: {
        type: "string",
        maxLength: 320,
        description:
          "Decide as if signed in at the gateway as this email (Emails and Emails ending in rules read it). Without it, " +
          "an application whose Allow or Block policies use an email asks for a sign-in first (`access_decision` `sign_in`).",
        examples: ["someone@example.com"],
      },
    },
  },
  TestMtlsResult: {
    type: "object",
    required: ["url", "hostname", "path", "at", "application", "applications_considered", "decision", "access_decision", "policy", "reason", "certificate", "steps", "chain"],
    properties: {
      url: { type: "string", description: "The URL tested, its path normalised as the gateway normalises it.", examples: ["https://app.example.com/admin/users"] },
      hostname: { type: "string" },
      path: { type: "string", description: "The normalised path (what the origin would be sent)." },
      at: { type: "string", format: "date-time" },
      ip: { type: ["string", "null"] },
      sni: { type: "string", description: "The TLS server name tested, when one was given (\"\" = none)." },
      service_token: {
        type: "object",
        description: "The service token tested as if presented, when one was given; `valid`: whether the gateway accepts it at `at`.",
        properties: { id: { type: "string", format: "uuid" }, name: { type: "string" }, client_id: { type: "string" }, valid: { type: "boolean" } },
      },
      email: { type: "string", description: "The email tested as if signed in, when one was given (lower-cased)." },
      application: {
        type: ["object", "null"],
        description: "The application the request reaches, or null when none covers the URL.",
        properties: { id: { type: "string", format: "uuid" }, name: { type: "string" }, domain: { type: "string" }, path: { type: ["string", "null"], examples: ["/admin"] } },
      },
      applications_considered: {
        type: "array",
        description: "Every application of the hostname, whether it matched the path, and why.",
        items: {
          type: "object",
          required: ["id", "name", "domain", "matched", "why"],
          properties: { id: { type: "string" }, name: { type: "string" }, domain: { type: "string" }, matched: { type: "boolean" }, why: { type: "string" } },
        },
      },
      decision: { enum: ["allow", "deny"] },
      access_decision: { enum: OUTCOMES, description: "What the gateway does with this request." },
      outcome: { type: "string" },
      policy: { type: ["object", "null"], properties: { id: { type: "string" }, name: { type: "string" }, decision: { type: "string" } } },
      reason: { type: "string" },
      certificate: { type: "object", properties: { valid: { type: "boolean" }, errors: { type: "array" }, leaf: { type: ["object", "null"] } } },
      identity: { type: ["object", "null"] },
      steps: { type: "array", items: { type: "object", properties: { id: { type: "string" }, label: { type: "string" }, status: { enum: ["pass", "fail", "skip"] }, detail: { type: "string" } } } },
      chain: { type: "array", items: { type: "object" } },
      origin_headers: {
        type: ["array", "null"],
        description: "The headers the gateway sets on the request to the origin (address headers, the Access JWT, and the certificate headers of the hostname's forwarding settings); null when the request is not sent to the origin. Cf-Access-Jwt-Assertion is described, not signed.",
        items: { type: "object", required: ["name", "value"], properties: { name: { type: "string" }, value: { type: "string" } } },
      },
    },
  },
};

const failure = (description: string) => ({ description, content: { "application/json": { schema: ref("Failure") } } });

export const testMtlsPath = {
  servers: [{ url: "/api/v1", description: "Portcullis's own endpoints" }],
  post: {
    operationId: "portcullis-test-mtls",
    summary: "Test a client certificate against a URL: the application it reaches, the decision and every step",
    tags: ["Test mTLS"],
    requestBody: { required: true, content: { "application/json": { schema: ref("TestMtlsInput") } } },
    responses: {
      200: {
        description: "The decision and its trace (nothing is stored or audited)",
        content: {
          "application/json": {
            schema: {
              type: "object",
              required: ["success", "errors", "messages", "result"],
              properties: { success: { const: true }, errors: { type: "array", maxItems: 0 }, messages: { type: "array", items: ref("Message") }, result: ref("TestMtlsResult") },
            },
          },
        },
      },
      "400": failure("Invalid input, one error per field (`source.pointer` `/url`, `/hostname`, `/certificate`, `/at`, `/ip`, `/sni`, `/service_token_id`)"),
      "401": failure("Missing, invalid, expired or revoked API token (Read permission is enough)"),
      "404": failure("Unknown application_id"),
      "413": failure("Request body over 1 MiB"),
    },
  },
};
