/**
 * JSON Schemas of the zone-scoped client-certificate resources (`/zones/{zone_id}/client_certificates` and
 * `/certificate_authorities/hostname_associations`), in Cloudflare's field names; merged into the document.
 */
import { DEFAULT_VALIDITY_DAYS, MAX_LABEL_LENGTH, MAX_VALIDITY_DAYS, MIN_VALIDITY_DAYS, VALIDITY_CHOICES } from "../domain/client-certificates/view";

type Schema = Record<string, unknown>;

const dateTime: Schema = { type: "string", format: "date-time" };
const text = (description: string): Schema => ({ type: "string", description });

export const clientCertificateSchemas: Record<string, Schema> = {
  ClientCertificate: {
    type: "object",
    description: "A client certificate issued by the managed CA. The private key never reaches the server: only the CSR's public key is signed.",
    properties: {
      id: { type: "string", format: "uuid", maxLength: 36 },
      certificate: text("The issued certificate (PEM)"),
      certificate_authority: {
        type: "object",
        description: "The managed CA that signed it",
        properties: { id: { type: "string", format: "uuid" }, name: { type: "string" } },
      },
      common_name: text("Common Name, from the CSR"),
      country: text("Country, from the CSR"),
      state: text("State, from the CSR"),
      location: text("Locality, from the CSR"),
      organization: text("Organization, from the CSR"),
      organizational_unit: text("Organizational Unit, from the CSR"),
      csr: text("The Certificate Signing Request it was issued from (PEM)"),
      expires_on: dateTime,
      issued_on: dateTime,
      fingerprint_sha256: { type: "string", pattern: "^[0-9a-f]{64}$" },
      serial_number: text("Serial number (hex)"),
      signature: text("Signature algorithm, e.g. ECDSAWithSHA256"),
      ski: text("Subject Key Identifier (hex)"),
      status: {
        type: "string",
        enum: ["active", "pending_revocation", "revoked"],
        description: "revoked: on the managed CA's CRL and refused by the gateway; pending_revocation: being added to it",
      },
      validity_days: { type: "integer", description: "Days the certificate is valid after issued_on" },
      label: text("Free-text label (Portcullis; set in the console or on create)"),
    },
  },
  ClientCertificateCreate: {
    type: "object",
    required: ["csr", "validity_days"],
    properties: {
      csr: text("A PKCS#10 CSR (PEM, newline-encoded). Its signature is checked; key types and sizes as for CA uploads (RSA 2048-4096, ECDSA P-256/P-384)"),
      validity_days: {
        type: "integer",
        minimum: MIN_VALIDITY_DAYS,
        maximum: MAX_VALIDITY_DAYS,
        examples: VALIDITY_CHOICES.map((c) => c.days),
        description: `Days the certificate is valid (the console offers ${VALIDITY_CHOICES.map((c) => c.label).join(", ")}; ${DEFAULT_VALIDITY_DAYS} by default there)`,
      },
      label: { type: "string", maxLength: MAX_LABEL_LENGTH, description: "Optional free-text label (Portcullis)" },
    },
    examples: [{ csr: "-----BEGIN CERTIFICATE REQUEST-----\nMIIB…\n-----END CERTIFICATE REQUEST-----", validity_days: 3650 }],
  },
  ClientCertificateEdit: {
    type: "object",
    description: "No body, or {reactivate: true}: a revoked certificate becomes active again (and leaves the CRL)",
    properties: { reactivate: { type: "boolean" } },
  },
  HostnameAssociations: {
    type: "object",
    properties: { hostnames: { type: "array", items: { type: "string" } } },
  },
  HostnameAssociationsUpdate: {
    type: "object",
    properties: {
      hostnames: { type: "array", items: { type: "string" }, description: "The complete list; [] removes every association" },
      mtls_certificate_id: { type: "string", format: "uuid", description: "An uploaded mTLS certificate's id; omitted: the managed CA" },
    },
    examples: [{ hostnames: ["api.example.com", "devices.example.com"] }],
  },
};
