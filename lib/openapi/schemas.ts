/** JSON Schemas (OpenAPI 3.1 = JSON Schema 2020-12) for the resources served under /client/v4. */
type Schema = Record<string, unknown>;

const uuid: Schema = { type: "string", format: "uuid", maxLength: 36, examples: ["f174e90a-fafe-4643-bbbc-4a0ed4fc8415"] };
const dateTime: Schema = { type: "string", format: "date-time" };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

const rule: Schema = {
  type: "object",
  description: "An Access rule: an object with exactly one key naming the selector.",
  minProperties: 1,
  maxProperties: 1,
  examples: [{ certificate: {} }, { common_name: { common_name: "John Doe" } }, { everyone: {} }, { email: { email: "a@example.com" } }],
  properties: {
    certificate: { type: "object", description: "Valid Certificate: any valid client certificate." },
    common_name: { type: "object", properties: { common_name: { type: "string" } }, required: ["common_name"] },
    everyone: { type: "object" },
    email: { type: "object", properties: { email: { type: "string", format: "email" } }, required: ["email"] },
    email_domain: { type: "object", properties: { domain: { type: "string" } }, required: ["domain"] },
    ip: { type: "object", properties: { ip: { type: "string", description: "IPv4/IPv6 CIDR" } }, required: ["ip"] },
    service_token: { type: "object", properties: { token_id: { type: "string" } }, required: ["token_id"] },
    any_valid_service_token: { type: "object" },
  },
};

export const schemas: Record<string, Schema> = {
  Message: {
    type: "object",
    required: ["code", "message"],
    properties: {
      code: { type: "integer", minimum: 1000 },
      message: { type: "string" },
      source: { type: "object", properties: { pointer: { type: "string" } } },
    },
  },
  ResultInfo: {
    type: "object",
    required: ["page", "per_page", "count", "total_count"],
    properties: {
      page: { type: "integer", minimum: 1 },
      per_page: { type: "integer", minimum: 1, maximum: 1000 },
      count: { type: "integer", description: "Number of results on this page" },
      total_count: { type: "integer", description: "Total results available" },
      total_pages: { type: "integer" },
    },
  },
  Failure: {
    type: "object",
    required: ["success", "errors", "messages", "result"],
    properties: {
      success: { const: false },
      errors: { type: "array", minItems: 1, items: ref("Message") },
      messages: { type: "array", items: ref("Message") },
      result: { type: "null" },
    },
    examples: [
      {
        success: false,
        errors: [{ code: 12130, message: "access.api.error.invalid_request: Name must be at most 350 characters", source: { pointer: "/name" } }],
        messages: [],
        result: null,
      },
    ],
  },
  Certificate: {
    type: "object",
    description: "An mTLS CA certificate (chain). The PEM content is never returned.",
    properties: {
      id: uuid,
      name: { type: "string", maxLength: 350 },
      fingerprint: { type: "string", examples: ["MD5 Fingerprint=1E:80:0F:7A:FD:31:55:96:DE:D5:CB:E2:F0:91:F6:91"] },
      associated_hostnames: { type: "array", items: { type: "string", description: "FQDN" } },
      expires_on: dateTime,
      created_at: dateTime,
      updated_at: dateTime,
    },
  },
  CertificateCreate: {
    type: "object",
    required: ["name", "certificate"],
    properties: {
      name: { type: "string", maxLength: 350 },
      certificate: { type: "string", description: "PEM CA chain: intermediates first, root last. Private keys are refused." },
      associated_hostnames: { type: "array", items: { type: "string" } },
    },
  },
  CertificateUpdate: {
    type: "object",
    required: ["associated_hostnames"],
    properties: { name: { type: "string", maxLength: 350 }, associated_hostnames: { type: "array", items: { type: "string" } } },
  },
  HostnameSetting: {
    type: "object",
    required: ["hostname", "china_network", "client_certificate_forwarding"],
    additionalProperties: false,
    properties: {
      hostname: { type: "string" },
      china_network: { type: "boolean" },
      client_certificate_forwarding: { type: "boolean" },
      forwarding_presets: {
        type: "array",
        maxItems: 3,
        items: { type: "string", enum: ["rfc9440", "tls_client_auth", "xfcc"] },
        description: "Extra certificate headers for the origin: RFC 9440, Cloudflare's TLS client auth headers, Envoy's X-Forwarded-Client-Cert. Omitted in an update: left as they are.",
      },
    },
  },
  HostnameSettingsUpdate: {
    type: "object",
    required: ["settings"],
    properties: { settings: { type: "array", items: ref("HostnameSetting") } },
  },
  Rule: rule,
  Policy: {
    type: "object",
    properties: {
      id: uuid,
      name: { type: "string" },
      decision: { enum: ["allow", "deny", "non_identity", "bypass"] },
      include: { type: "array", items: ref("Rule") },
      require: { type: "array", items: ref("Rule") },
      exclude: { type: "array", items: ref("Rule") },
      session_duration: { type: "string", default: "24h" },
      reusable: { const: true },
      app_count: { type: "integer" },
      created_at: dateTime,
      updated_at: dateTime,
    },
  },
  PolicyInput: {
    type: "object",
    required: ["name", "decision", "include"],
    properties: {
      name: { type: "string" },
      decision: { enum: ["allow", "deny", "non_identity", "bypass"], description: "Allow, Block (deny), Service Auth (non_identity), Bypass" },
      include: { type: "array", items: ref("Rule") },
      require: { type: "array", items: ref("Rule") },
      exclude: { type: "array", items: ref("Rule") },
      session_duration: { type: "string", default: "24h", examples: ["24h", "30m"] },
    },
    examples: [{ name: "mTLS devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }],
  },
  AppPolicy: { allOf: [ref("Policy"), { type: "object", properties: { precedence: { type: "integer", minimum: 1 } } }] },
  Application: {
    type: "object",
    properties: {
      id: uuid,
      aud: { type: "string", pattern: "^[0-9a-f]{64}$" },
      name: { type: "string" },
      domain: { type: "string", examples: ["test.example.com/admin"] },
      type: { const: "self_hosted" },
      session_duration: { type: "string" },
      policies: { type: "array", items: ref("AppPolicy"), description: "Expanded policies in precedence order" },
      allowed_idps: { type: "array", items: uuid, description: "Login methods offered for signing in at the gateway; empty: every login method" },
      created_at: dateTime,
      updated_at: dateTime,
    },
  },
  ApplicationInput: {
    type: "object",
    required: ["type", "domain"],
    properties: {
      type: { const: "self_hosted" },
      domain: { type: "string" },
      name: { type: "string", maxLength: 350 },
      session_duration: { type: "string", default: "24h" },
      policies: {
        type: "array",
        description: "Reusable policies in ascending precedence: a policy UUID, or a link {id, precedence}.",
        items: {
          oneOf: [uuid, { type: "object", required: ["id"], properties: { id: uuid, precedence: { type: "integer", minimum: 1 } } }],
        },
      },
      allowed_idps: {
        type: "array",
        items: uuid,
        description: "Login methods (Settings → Login methods) the gateway offers for this application; empty or null: every login method. Absent on update: unchanged.",
      },
    },
  },
  Deleted: { type: "object", properties: { id: uuid } },
  TokenVerification: {
    type: "object",
    properties: { id: uuid, status: { const: "active" }, expires_on: dateTime },
  },
};
