import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

const createdAt = () => timestamp("created_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();
const updatedAt = () => timestamp("updated_at", { withTimezone: true, mode: "date" }).notNull().defaultNow();

/** Instance-wide key/value settings: account id, generated secrets, notification config. */
export const settings = pgTable("settings", {
  key: text("key").primaryKey(),
  value: jsonb("value").notNull(),
  updatedAt: updatedAt(),
});

export const users = pgTable(
  "users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    email: text("email").notNull(),
    name: text("name").notNull().default(""),
    role: text("role", { enum: ["admin", "viewer"] }).notNull(),
    passwordHash: text("password_hash"),
    oidcSubject: text("oidc_subject"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("users_email_key").on(t.email), uniqueIndex("users_oidc_subject_key").on(t.oidcSubject)],
);

/**
 * Console sign-in sessions. The session cookie (a next-auth JWT) carries only the session id; a session is valid
 * while its row exists and has not expired, so sign-out, "Sign out everywhere", a password reset, a role change
 * and deleting the user end sessions at once by deleting rows.
 */
export const userSessions = pgTable(
  "user_sessions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("user_sessions_user_idx").on(t.userId), index("user_sessions_expires_idx").on(t.expiresAt)],
);

/** Append-only record of every change and every sign-in attempt. */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    actorType: text("actor_type", { enum: ["user", "token", "system", "anonymous"] }).notNull(),
    actorId: text("actor_id"),
    actor: text("actor").notNull(),
    action: text("action").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    before: jsonb("before"),
    after: jsonb("after"),
    ip: text("ip"),
  },
  (t) => [
    index("audit_events_at_idx").on(t.at),
    index("audit_events_actor_idx").on(t.actor, t.at),
    index("audit_events_resource_type_idx").on(t.resourceType, t.at),
  ],
);

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

export const policies = pgTable(
  "policies",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    decision: text("decision", { enum: ["allow", "deny", "non_identity", "bypass"] }).notNull(),
    include: jsonb("include").notNull().default(sql`'[]'::jsonb`),
    require: jsonb("require").notNull().default(sql`'[]'::jsonb`),
    exclude: jsonb("exclude").notNull().default(sql`'[]'::jsonb`),
    sessionDuration: text("session_duration").notNull().default("24h"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("policies_name_idx").on(t.name)],
);

export const applications = pgTable(
  "applications",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    aud: text("aud").notNull(),
    name: text("name").notNull(),
    /** "host[/path]" as entered after normalisation. */
    domain: text("domain").notNull(),
    hostname: text("hostname").notNull(),
    path: text("path").notNull().default(""),
    type: text("type").notNull().default("self_hosted"),
    sessionDuration: text("session_duration").notNull().default("24h"),
    originUrl: text("origin_url"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("applications_aud_key").on(t.aud), index("applications_hostname_idx").on(t.hostname)],
);

export const applicationPolicies = pgTable(
  "application_policies",
  {
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    policyId: uuid("policy_id")
      .notNull()
      .references(() => policies.id, { onDelete: "restrict" }),
    precedence: integer("precedence").notNull(),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.policyId] }), index("application_policies_policy_idx").on(t.policyId)],
);

export const apiTokens = pgTable(
  "api_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    userId: uuid("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    permission: text("permission", { enum: ["read", "edit"] }).notNull(),
    /** SHA-256 of the token secret (hex); the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull(),
    lastUsedAt: timestamp("last_used_at", { withTimezone: true, mode: "date" }),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    revokedAt: timestamp("revoked_at", { withTimezone: true, mode: "date" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("api_tokens_hash_key").on(t.tokenHash)],
);

/** Raised conditions (certificate expiry thresholds, stale CRLs); one row per condition and resource. */
export const alerts = pgTable(
  "alerts",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    kind: text("kind").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id").notNull(),
    message: text("message").notNull(),
    createdAt: createdAt(),
    notifiedAt: timestamp("notified_at", { withTimezone: true, mode: "date" }),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true, mode: "date" }),
    lastError: text("last_error"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [uniqueIndex("alerts_kind_resource_key").on(t.kind, t.resourceId)],
);

/** Gateway decisions. */
export const accessLog = pgTable(
  "access_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
    hostname: text("hostname").notNull(),
    applicationId: uuid("application_id"),
    applicationName: text("application_name"),
    clientCn: text("client_cn"),
    serialNumber: text("serial_number"),
    decision: text("decision", { enum: ["allow", "deny"] }).notNull(),
    policyId: uuid("policy_id"),
    policyName: text("policy_name"),
    reason: text("reason"),
    ip: text("ip"),
    /** The request path after normalisation (lib/access/path), query included; null for rows logged before it was kept. */
    path: text("path"),
    /**
     * SHA-256 (lowercase hex) of each certificate the client presented, leaf first, referencing client_certificates_seen
     * (the DER is stored once there, not once per row); null when no certificate was presented.
     */
    chainSha256: text("chain_sha256").array(),
  },
  (t) => [
    index("access_log_at_idx").on(t.at),
    index("access_log_hostname_idx").on(t.hostname, t.at),
    // "Blocked" is the filter people investigate with, and blocked rows are usually few: without these, finding a
    // page of them (or none, for a hostname) walks every allowed row. Only blocked rows pay the extra index inserts.
    index("access_log_deny_idx").on(t.at).where(sql`${t.decision} = 'deny'`),
    index("access_log_deny_hostname_idx").on(t.hostname, t.at).where(sql`${t.decision} = 'deny'`),
    // No index on application_id: nothing queries by it, and each index costs every gateway decision an index insert
    // (drizzle/0002 dropped access_log_app_idx).
  ],
);

const bytea = customType<{ data: Buffer; driverData: Uint8Array }>({
  dataType: () => "bytea",
  fromDriver: (v) => Buffer.from(v.buffer, v.byteOffset, v.byteLength),
});

/**
 * Client certificates the gateway has seen, once each, keyed by the SHA-256 of their DER: access_log rows reference
 * them (chain_sha256) so Explain can rebuild the chain a client sent. Retention deletes a certificate once no access
 * log row references it (lib/domain/retention); `last_seen` is refreshed at most every few minutes per process.
 */
export const clientCertificatesSeen = pgTable("client_certificates_seen", {
  sha256: text("sha256").primaryKey(),
  der: bytea("der").notNull(),
  firstSeen: timestamp("first_seen", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
  lastSeen: timestamp("last_seen", { withTimezone: true, mode: "date" }).notNull().defaultNow(),
});

/**
 * Hourly roll-up of access_log (allowed / blocked per application name and UTC hour), kept in step by
 * statement-level triggers on access_log (see drizzle/0001_access_log_hourly.sql), so the Overview chart
 * sums at most a day of hourly rows instead of counting every decision of the last 24 hours.
 * `application_name` is access_log's, or "(no application)" when that is null.
 */
export const accessLogHourly = pgTable(
  "access_log_hourly",
  {
    hour: timestamp("hour", { withTimezone: true, mode: "date" }).notNull(),
    applicationName: text("application_name").notNull(),
    allowed: bigint("allowed", { mode: "number" }).notNull().default(0),
    blocked: bigint("blocked", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.hour, t.applicationName] })],
);

/**
 * Gateway requests for hostnames no certificate or application knows, counted per UTC hour instead of one
 * access-log row each (random Host headers must not fill the access log). `sample` keeps the last hostname seen.
 */
export const unknownHostHourly = pgTable("unknown_host_hourly", {
  hour: timestamp("hour", { withTimezone: true, mode: "date" }).primaryKey(),
  requests: bigint("requests", { mode: "number" }).notNull().default(0),
  sample: text("sample"),
});

/**
 * Rate-limit counters shared by every web instance on the database (lib/auth/rate-limit.ts: sign-in back-off and
 * the first-admin form; lib/api/rate-limit.ts: requests per API token), so running more instances does not multiply
 * the attempts allowed. Times are epoch milliseconds. `count` is the failures of a back-off key or the requests of
 * an API window; `last_at` the last counted failure (back-off) or the window start (API); `prev_blocked_until` the
 * block before the last counted failure, put back when that attempt turns out not to have been a failure. A row
 * may be deleted once `forget_at` has passed.
 */
export const rateLimits = pgTable(
  "rate_limits",
  {
    key: text("key").primaryKey(),
    count: integer("count").notNull().default(0),
    lastAt: bigint("last_at", { mode: "number" }).notNull().default(0),
    blockedUntil: bigint("blocked_until", { mode: "number" }).notNull().default(0),
    prevBlockedUntil: bigint("prev_blocked_until", { mode: "number" }).notNull().default(0),
    forgetAt: bigint("forget_at", { mode: "number" }).notNull().default(0),
  },
  (t) => [index("rate_limits_forget_at_idx").on(t.forgetAt)],
);

/**
 * Access service tokens (Access controls → Service credentials → Service Tokens; `/access/service_tokens` in the
 * REST API). A client authenticates at the gateway with `CF-Access-Client-Id` (`client_id`, public) and
 * `CF-Access-Client-Secret`; only the SHA-256 of the secret is kept (lib/domain/service-tokens explains why a
 * fast hash is right for a 256-bit random secret). After a rotation with a grace period the previous secret's hash
 * stays until `previous_secret_expires_at`. `expires_at` null: the token never expires (duration "forever").
 */
export const serviceTokens = pgTable(
  "service_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    clientId: text("client_id").notNull(),
    secretHash: text("secret_hash").notNull(),
    previousSecretHash: text("previous_secret_hash"),
    previousSecretExpiresAt: timestamp("previous_secret_expires_at", { withTimezone: true, mode: "date" }),
    clientSecretVersion: integer("client_secret_version").notNull().default(1),
    /** Go duration the token was created (or last renewed) for, or "forever". */
    duration: text("duration").notNull().default("8760h"),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }),
    enabled: boolean("enabled").notNull().default(true),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true, mode: "date" }),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("service_tokens_client_id_key").on(t.clientId), index("service_tokens_expires_idx").on(t.expiresAt)],
);

/**
 * Login methods: OpenID Connect identity providers people sign in with at the gateway (Settings → Login methods;
 * lib/domain/login-methods). The client secret is stored only sealed (lib/server/secret-box: AES-256-GCM under
 * PORTCULLIS_SECRET_KEY or the embedded database's key file), never in clear and never shown again.
 */
export const loginMethods = pgTable(
  "login_methods",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    type: text("type", { enum: ["oidc"] }).notNull().default("oidc"),
    issuerUrl: text("issuer_url").notNull(),
    clientId: text("client_id").notNull(),
    clientSecretSealed: text("client_secret_sealed").notNull(),
    scopes: text("scopes").notNull().default("openid email profile"),
    emailClaim: text("email_claim").notNull().default("email"),
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("login_methods_name_key").on(t.name)],
);

/**
 * The login methods an application offers (Cloudflare's `allowed_idps`). No row for an application: it offers every
 * login method. A login method that is the only one of an application cannot be deleted (restrict), so removing it
 * never widens an application to every provider behind the admin's back.
 */
export const applicationLoginMethods = pgTable(
  "application_login_methods",
  {
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    loginMethodId: uuid("login_method_id")
      .notNull()
      .references(() => loginMethods.id, { onDelete: "restrict" }),
  },
  (t) => [primaryKey({ columns: [t.applicationId, t.loginMethodId] }), index("application_login_methods_method_idx").on(t.loginMethodId)],
);

/**
 * Sign-ins under way at the gateway (lib/gateway/identity): one row per authorization request, keyed by the SHA-256 of
 * its `state`, holding what the callback must check (the browser's binding cookie, as a hash; the PKCE verifier; the
 * nonce; where to go back to). The callback deletes the row as it reads it, so a state is used at most once, on any
 * instance; rows past `expires_at` (10 minutes) are removed as new sign-ins start.
 */
export const gatewaySignIns = pgTable(
  "gateway_sign_ins",
  {
    id: text("id").primaryKey(),
    loginMethodId: uuid("login_method_id")
      .notNull()
      .references(() => loginMethods.id, { onDelete: "cascade" }),
    applicationId: uuid("application_id")
      .notNull()
      .references(() => applications.id, { onDelete: "cascade" }),
    browserHash: text("browser_hash").notNull(),
    codeVerifier: text("code_verifier").notNull(),
    nonce: text("nonce").notNull(),
    redirectUri: text("redirect_uri").notNull(),
    returnTo: text("return_to").notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("gateway_sign_ins_expires_idx").on(t.expiresAt)],
);

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
