/** Access policies, applications and the policies each application uses, in order. */
import { sql } from "drizzle-orm";
import { index, integer, jsonb, pgTable, primaryKey, text, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

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
