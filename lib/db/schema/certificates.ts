/**
 * mTLS certificates (CAs) and their hostnames, per-hostname settings, blocked certificates, managed CAs and the
 * client certificates they issue.
 */
import { sql } from "drizzle-orm";
import { boolean, index, integer, jsonb, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

export const mtlsCertificates = pgTable(
  "mtls_certificates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    certificatePem: text("certificate_pem").notNull(),
    /** "MD5 Fingerprint=AA:BB:…" of the first certificate, as Cloudflare shows it. */
    fingerprint: text("fingerprint").notNull(),
    expiresOn: timestamp("expires_on", { withTimezone: true, mode: "date" }).notNull(),
    /** Parsed summary of each chain member (CertificateSummary[] without PEM). */
    chain: jsonb("chain").notNull(),
    crlPem: text("crl_pem"),
    /** Parsed CRL summary: issuer, this/next update, revoked serials. */
    crl: jsonb("crl"),
    /** http(s) URL the CRL is fetched from and refreshed (lib/domain/crls/refresh); null = uploads only. */
    crlUrl: text("crl_url"),
    /** State of the automatic refresh: last attempt/success, the last error, when the next fetch is due. */
    crlRefresh: jsonb("crl_refresh"),
    /** A CA Portcullis runs itself (lib/domain/managed-ca): its key and CRL state are in managed_cas. */
    managed: boolean("managed").notNull().default(false),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("mtls_certificates_name_key").on(t.name), index("mtls_certificates_expires_idx").on(t.expiresOn)],
);

export const certificateHostnames = pgTable(
  "certificate_hostnames",
  {
    certificateId: uuid("certificate_id")
      .notNull()
      .references(() => mtlsCertificates.id, { onDelete: "cascade" }),
    hostname: text("hostname").notNull(),
    position: integer("position").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.certificateId, t.hostname] }), index("certificate_hostnames_hostname_idx").on(t.hostname)],
);

export const hostnameSettings = pgTable("hostname_settings", {
  hostname: text("hostname").primaryKey(),
  clientCertificateForwarding: boolean("client_certificate_forwarding").notNull().default(false),
  chinaNetwork: boolean("china_network").notNull().default(false),
  /** "block" (fail closed, default) or "allow" (fail open with an alert) when a CRL or OCSP answer is unavailable. */
  crlStaleMode: text("crl_stale_mode").notNull().default("block"),
  /** Ask the client certificate's OCSP responder (its AIA) as well as the CRLs. */
  ocsp: boolean("ocsp").notNull().default(false),
  /** Strict path validation (like `openssl verify -x509_strict`): missing Authority/Subject Key Identifiers refuse. */
  strictValidation: boolean("strict_validation").notNull().default(false),
  /** Extra certificate header sets sent to the origin (lib/gateway/forwarding, lib/access/forwarding-presets): "rfc9440", "tls_client_auth", "xfcc". */
  forwardingPresets: text("forwarding_presets").array().notNull().default(sql`'{}'::text[]`),
  updatedAt: updatedAt(),
});

/**
 * Blocked certificates (Mutual TLS → Blocked certificates; lib/domain/blocked-certificates): an emergency lock of one
 * client certificate, without a CRL. `kind` says what matches: the leaf's SHA-256 fingerprint, or its issuer DN and
 * serial number. `match_key` is the normalised match ("sha256:<hex>" or "issuer_serial:<issuer>|<serial>", see
 * lib/access/blocked), unique so the same certificate is never blocked twice. The gateway decides with every row
 * (lib/access `decide`: a blocked certificate is refused before any policy).
 */
export const blockedCertificates = pgTable(
  "blocked_certificates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    matchKey: text("match_key").notNull(),
    /** lower-case hex, no colons; set for kind sha256, and for issuer_serial when the certificate was at hand */
    sha256: text("sha256"),
    issuer: text("issuer"),
    /** lower-case hex without leading zeros */
    serial: text("serial"),
    /** the certificate's subject, for the list (when known) */
    subject: text("subject"),
    reason: text("reason").notNull(),
    /** where it was blocked from: access_log, test_mtls, certificate, api, console */
    source: text("source").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("blocked_certificates_match_key").on(t.matchKey)],
);

/**
 * The managed CA's secret half and CRL state, one row per managed CA (whose certificate, hostnames and current CRL
 * are its mtls_certificates row, so the gateway, policies and the nginx export treat it like any uploaded CA).
 * `sealed_key` is the PKCS#8 private key sealed with lib/server/secret-box (AES-256-GCM); it is never returned.
 */
export const managedCas = pgTable("managed_cas", {
  id: uuid("id")
    .primaryKey()
    .references(() => mtlsCertificates.id, { onDelete: "cascade" }),
  /** ecdsa-p256, rsa-2048 or rsa-4096 */
  keyType: text("key_type").notNull(),
  sealedKey: text("sealed_key").notNull(),
  /** The last CRL number issued (monotonic per CA). */
  crlNumber: integer("crl_number").notNull().default(0),
  crlIssuedAt: timestamp("crl_issued_at", { withTimezone: true, mode: "date" }),
  /** Retired: issues nothing more, and no longer trusted (its mtls_certificates row loses its hostnames). */
  retiredAt: timestamp("retired_at", { withTimezone: true, mode: "date" }),
  createdAt: createdAt(),
});

/** Client certificates issued by a managed CA from a CSR (lib/domain/client-certificates). */
export const clientCertificates = pgTable(
  "client_certificates",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    managedCaId: uuid("managed_ca_id")
      .notNull()
      .references(() => managedCas.id, { onDelete: "cascade" }),
    label: text("label").notNull().default(""),
    commonName: text("common_name").notNull().default(""),
    /** lower-case hex without leading zeros, unique per CA */
    serialNumber: text("serial_number").notNull(),
    certificatePem: text("certificate_pem").notNull(),
    csrPem: text("csr_pem").notNull(),
    /** Subject fields of the CSR, for the API (country, state, location, organization, organizational_unit). */
    subject: jsonb("subject").notNull(),
    validityDays: integer("validity_days").notNull(),
    issuedOn: timestamp("issued_on", { withTimezone: true, mode: "date" }).notNull(),
    expiresOn: timestamp("expires_on", { withTimezone: true, mode: "date" }).notNull(),
    /** lower-case hex */
    fingerprintSha256: text("fingerprint_sha256").notNull(),
    /** Subject Key Identifier, lower-case hex */
    ski: text("ski").notNull(),
    signature: text("signature").notNull(),
    /** active | pending_revocation | revoked */
    status: text("status").notNull().default("active"),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    revocationReason: text("revocation_reason"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("client_certificates_ca_serial_key").on(t.managedCaId, t.serialNumber),
    index("client_certificates_status_idx").on(t.status, t.issuedOn),
    index("client_certificates_expires_idx").on(t.expiresOn),
  ],
);
