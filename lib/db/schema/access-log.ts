/** The gateway's decisions: the access log, the certificates it references, and its hourly roll-ups. */
import { sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { bytea } from "./columns";

/**
 * Gateway decisions. A row stands for `requests` identical requests: the same decision, in every logged field, of
 * requests made within the same UTC second and logged by the same process (lib/domain/access-log/fold); `at` is the
 * first one's time.
 */
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
    /** How many identical requests of the same second this row stands for (1 for rows logged before folding). */
    requests: integer("requests").notNull().default(1),
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
