/** JSON Schemas of the service-token resources (`/access/service_tokens`), merged into the document's components. */
type Schema = Record<string, unknown>;

const uuid: Schema = { type: "string", format: "uuid", maxLength: 36, examples: ["f174e90a-fafe-4643-bbbc-4a0ed4fc8415"] };
const dateTime: Schema = { type: "string", format: "date-time" };
const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const serviceTokenSchemas: Record<string, Schema> = {
  ServiceToken: {
    type: "object",
    description: "A service token. The Client Secret is returned only by create and rotate (ServiceTokenWithSecret); only its SHA-256 is stored.",
    properties: {
      id: uuid,
      name: { type: "string", maxLength: 350 },
      client_id: { type: "string", pattern: "^[0-9a-f]{32}\\.access$", description: "Sent in the CF-Access-Client-Id request header" },
      duration: { type: "string", default: "8760h", examples: ["8760h", "17520h", "forever"], description: 'Go duration the token is valid for from creation (or the last refresh / duration change), or "forever"' },
      expires_at: { oneOf: [dateTime, { type: "null" }], description: "null: never expires" },
      enabled: { type: "boolean", description: "A disabled token cannot authenticate (neither its current nor its previous secret)" },
      client_secret_version: { type: "integer", minimum: 1, description: "Incremented by every rotation" },
      previous_client_secret_expires_at: { oneOf: [dateTime, { type: "null" }], description: "Until when the secret before the last rotation is still accepted; null: it is not" },
      last_seen_at: { oneOf: [dateTime, { type: "null" }] },
      created_at: dateTime,
      updated_at: dateTime,
    },
  },
  ServiceTokenWithSecret: {
    allOf: [
      ref("ServiceToken"),
      {
        type: "object",
        required: ["client_secret"],
        properties: { client_secret: { type: "string", pattern: "^[0-9a-f]{64}$", description: "Sent in the CF-Access-Client-Secret request header. Shown in this response only." } },
      },
    ],
  },
  ServiceTokenCreate: {
    type: "object",
    required: ["name"],
    properties: {
      name: { type: "string", minLength: 1, maxLength: 350 },
      duration: { type: "string", default: "8760h", description: 'Go duration (300ms, 2h45m, 8760h) or "forever"' },
      enabled: { type: "boolean", default: true },
    },
    examples: [{ name: "CI/CD token", duration: "8760h" }],
  },
  ServiceTokenUpdate: {
    type: "object",
    properties: {
      name: { type: "string", minLength: 1, maxLength: 350 },
      duration: { type: "string", description: "A new duration renews the token from now" },
      enabled: { type: "boolean" },
      previous_client_secret_expires_at: { oneOf: [dateTime, { type: "null" }], description: "Move the previous secret's expiry (at most 30 days ahead); in the past or null revokes it now" },
    },
  },
  ServiceTokenRotate: {
    type: "object",
    properties: {
      previous_client_secret_expires_at: { ...dateTime, description: "Keep the current secret valid until then (at most 30 days ahead). Omitted or in the past: it stops working at once." },
    },
  },
};
