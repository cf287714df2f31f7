/** JSON Schemas of the blocked-certificate resources (`/access/blocked_certificates`), merged into the document's components. */
type Schema = Record<string, unknown>;

const nullable = (s: Schema): Schema => ({ oneOf: [s, { type: "null" }] });
const SOURCES = ["access_log", "test_mtls", "certificate", "api", "console"];

export const blockedCertificateSchemas: Record<string, Schema> = {
  BlockedCertificate: {
    type: "object",
    description: "A client certificate the gateway refuses on every application, before any policy (instant lock, no CRL needed).",
    required: ["id", "match", "sha256", "issuer", "serial_number", "subject", "reason", "source", "created_by", "created_at"],
    properties: {
      id: { type: "string", format: "uuid" },
      match: { enum: ["sha256", "issuer_serial"], description: "What the gateway compares: the leaf's SHA-256 fingerprint, or its issuer DN and serial number" },
      sha256: nullable({ type: "string", pattern: "^[0-9a-f]{64}$", description: "Lower-case hex, no colons" }),
      issuer: nullable({ type: "string" }),
      serial_number: nullable({ type: "string", pattern: "^[0-9a-f]+$", description: "Lower-case hex without leading zero octets" }),
      subject: nullable({ type: "string", description: "The certificate's subject, when the certificate was at hand" }),
      reason: { type: "string", maxLength: 500 },
      source: { enum: SOURCES, description: "Where it was blocked from" },
      created_by: { type: "string" },
      created_at: { type: "string", format: "date-time" },
    },
  },
  BlockedCertificateCreate: {
    type: "object",
    additionalProperties: false,
    required: ["reason"],
    description:
      "Name the certificate one way: `sha256` (its fingerprint, colons allowed), `issuer` + `serial_number` (as openssl " +
      "or the console prints them; case, spacing and the order of the issuer's attributes do not matter), `certificate` " +
      "(its PEM; only the leaf is read and nothing else is stored), or `access_log_id` (the leaf a logged request presented). " +
      "`match` chooses what the gateway compares when both are known (default: the fingerprint).",
    properties: {
      reason: { type: "string", minLength: 1, maxLength: 500, examples: ["laptop reported stolen"] },
      match: { enum: ["sha256", "issuer_serial"] },
      sha256: { type: "string", maxLength: 200, examples: ["3F:2A:…"] },
      issuer: { type: "string", maxLength: 2000, examples: ["CN=Example Client CA, O=Example"] },
      serial_number: { type: "string", maxLength: 200, examples: ["0A:1B:2C"] },
      certificate: { type: "string", maxLength: 1048576 },
      access_log_id: { type: "string", pattern: "^[1-9][0-9]*$" },
      source: { enum: SOURCES },
    },
  },
};
