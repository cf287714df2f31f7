/** Who a client is besides its certificate: service tokens, login methods and gateway sign-ins under way. */
import { boolean, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from "drizzle-orm/pg-core";
import { applications } from "./applications";
import { createdAt, updatedAt } from "./columns";

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
