/** Console accounts: users, their sign-in sessions and API tokens, and the shared rate-limit counters. */
import { bigint, index, integer, pgTable, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { createdAt, updatedAt } from "./columns";

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
