/** JSON Schemas of the revocation resources (a certificate's CRL and CRL URL, per-hostname revocation settings). */
type Schema = Record<string, unknown>;

const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: "null" }] });
const time = { type: "string", format: "date-time" };

const setting: Schema = {
  type: "object",
  additionalProperties: false,
  required: ["hostname", "crl_stale_mode", "ocsp"],
  properties: {
    hostname: { type: "string", description: "An associated hostname of an mTLS certificate" },
    crl_stale_mode: { enum: ["block", "allow"], description: "When a CRL is out of date: block its CA's clients (default), or allow them and raise an alert" },
    ocsp: { type: "boolean", description: "Also ask the client certificate's OCSP responder" },
  },
};

export const revocationSchemas: Record<string, Schema> = {
  CertificateCrl: {
    type: "object",
    description: "The revocation state of an mTLS certificate: its stored CRL (summary; the serial list stays in the console) and the URL it is downloaded from.",
    required: ["certificate_id", "version", "crl", "crl_url", "suggested_crl_url", "refresh"],
    properties: {
      certificate_id: { type: "string", format: "uuid" },
      version: { type: "integer", description: "The certificate's version; send it back to refuse a change made meanwhile (409)" },
      crl: nullable({
        type: "object",
        required: ["issuer", "this_update", "next_update", "revoked_count", "stale"],
        properties: { issuer: { type: "string" }, this_update: time, next_update: nullable(time), revoked_count: { type: "integer" }, stale: { type: "boolean", description: "Past its next update" } },
      }),
      crl_url: nullable({ type: "string", format: "uri" }),
      suggested_crl_url: nullable({ type: "string", format: "uri", description: "The chain's first http(s) CRL Distribution Point" }),
      refresh: nullable({
        type: "object",
        description: "Downloads from crl_url: at half the time left to the CRL's next update, hourly to daily",
        properties: { last_attempt_at: nullable(time), last_success_at: nullable(time), last_error: nullable({ type: "string" }), next_at: time },
      }),
    },
  },
  CertificateCrlUpdate: {
    type: "object",
    additionalProperties: false,
    description: "Exactly one of `crl` (the CRL itself, signed by a CA of the chain; over 1 MiB use crl_url) or `crl_url` (downloaded at once and kept fresh; \"\" removes the URL).",
    properties: {
      crl: { type: "string", description: "PEM, or DER as base64", examples: ["-----BEGIN X509 CRL-----\n…\n-----END X509 CRL-----"] },
      crl_url: { type: "string", maxLength: 2048, examples: ["http://pki.example.com/intermediate.crl"] },
      version: { type: "integer" },
    },
  },
  RevocationSetting: setting,
  RevocationSettingsUpdate: {
    type: "object",
    additionalProperties: false,
    required: ["settings"],
    properties: { settings: { type: "array", minItems: 1, maxItems: 1000, items: setting } },
  },
};
