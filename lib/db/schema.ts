import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
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
  },
  (t) => [
    index("access_log_at_idx").on(t.at),
    index("access_log_hostname_idx").on(t.hostname, t.at),
    // No index on application_id: nothing queries by it, and each index costs every gateway decision an index insert
    // (drizzle/0002 dropped access_log_app_idx).
  ],
);

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
