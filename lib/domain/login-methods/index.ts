/**
 * Login methods (Settings → Login methods): the OpenID Connect providers people sign in with at the gateway
 * (lib/gateway/identity). Each has a name, the provider's issuer URL, the client ID and secret Portcullis was
 * registered with, the scopes it asks for and the claim that holds the email.
 *
 * The client secret is sealed before it is stored (lib/server/secret-box) and never leaves this module again except
 * to the gateway, which needs it at the token endpoint: not in a DTO, not in the audit log (which records "set" or
 * "changed"), not in a log line. Saving without a key to seal with (PostgreSQL without PORTCULLIS_SECRET_KEY) fails
 * with the sentence that says what to set.
 *
 * Applications choose which login methods they offer (./applications); a method that is the only one of an
 * application cannot be deleted.
 */
import { asc, count, eq, inArray, ne, and } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { applicationLoginMethods, applications, loginMethods } from "../../db/schema";
import { openSecret, sealSecret, SecretBoxError, SecretKeyUnavailable } from "../../server/secret-box";
import { canWrite, type Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, READ_ONLY_MESSAGE, zodFieldErrors, type Result } from "../core/result";
import { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "./defaults";
import { checkIssuerUrl, discover, type DiscoveredProvider, type DiscoveryFailureKind } from "./oidc";

export { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "./defaults";

/** The secret-box purpose of a login method's client secret (the AAD: a sealed value opens only for this use). */
export const CLIENT_SECRET_PURPOSE = "login_method.client_secret";
export const MAX_LOGIN_METHODS = 50;

export interface LoginMethodDto {
  id: string;
  name: string;
  type: "oidc";
  issuer_url: string;
  client_id: string;
  scopes: string;
  email_claim: string;
  /** always true: a login method cannot be saved without a secret; the secret itself is never returned */
  client_secret_set: true;
  version: number;
  created_at: string;
  updated_at: string;
}

/** What the gateway needs of a login method: the DTO's fields plus the opened client secret (or why it does not open). */
export interface GatewayLoginMethod {
  id: string;
  name: string;
  issuerUrl: string;
  clientId: string;
  clientSecret: string | null;
  /** set when the stored secret cannot be opened (another key, PostgreSQL without the key): the sign-in page says so */
  secretError: string | null;
  scopes: string;
  emailClaim: string;
}

type Row = typeof loginMethods.$inferSelect;

const toDto = (r: Row): LoginMethodDto => ({
  id: r.id,
  name: r.name,
  type: "oidc",
  issuer_url: r.issuerUrl,
  client_id: r.clientId,
  scopes: r.scopes,
  email_claim: r.emailClaim,
  client_secret_set: true,
  version: r.version,
  created_at: r.createdAt.toISOString(),
  updated_at: r.updatedAt.toISOString(),
});

const text = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`)
    .refine((v) => !/[\x00-\x1f\x7f]/.test(v), `${label} must not contain control characters`);

const issuerSchema = text("Issuer URL", 2048).transform((v, ctx) => {
  const r = checkIssuerUrl(v);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.error });
    return z.NEVER;
  }
  return v;
});

const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;
const scopesSchema = z
  .string({ error: "Scopes must be text" })
  .optional()
  .transform((v, ctx) => {
    const list = (v ?? "").trim().split(/\s+/).filter(Boolean);
    if (!list.length) return DEFAULT_SCOPES;
    const bad = list.find((s) => !SCOPE_TOKEN.test(s));
    if (bad) {
      ctx.addIssue({ code: "custom", message: `"${bad}" is not a valid scope (no quotes or backslashes; separate scopes with spaces)` });
      return z.NEVER;
    }
    if (!list.includes("openid")) {
      ctx.addIssue({ code: "custom", message: 'Scopes must include "openid" (the sign-in needs an ID token)' });
      return z.NEVER;
    }
    if (list.join(" ").length > 1000) {
      ctx.addIssue({ code: "custom", message: "Scopes must be at most 1000 characters" });
      return z.NEVER;
    }
    return [...new Set(list)].join(" ");
  });

const emailClaimSchema = z
  .string({ error: "Email claim must be text" })
  .optional()
  .transform((v, ctx) => {
    const claim = (v ?? "").trim();
    if (!claim) return DEFAULT_EMAIL_CLAIM;
    if (!/^[A-Za-z0-9_.:/-]{1,100}$/.test(claim)) {
      ctx.addIssue({ code: "custom", message: "Email claim must be a claim name such as email or preferred_username (letters, digits, _ . : / -)" });
      return z.NEVER;
    }
    return claim;
  });

const secretSchema = z
  .string({ error: "Client secret is required" })
  .max(4096, "Client secret must be at most 4096 characters")
  .refine((v) => !/[\x00-\x1f\x7f]/.test(v), "Client secret must not contain control characters");

export const loginMethodInputSchema = z.object(
  {
    name: text("Name", 100),
    issuer_url: issuerSchema,
    client_id: text("Client ID", 1000),
    /** required when creating; empty or absent when updating keeps the stored secret */
    client_secret: secretSchema.optional(),
    scopes: scopesSchema,
    email_claim: emailClaimSchema,
    version: z.coerce.number({ error: "Version must be a number" }).int().positive().optional(),
  },
  { error: "Login method must be an object" },
);

const testInputSchema = z.object({ issuer_url: issuerSchema, client_id: z.string().trim().max(1000).optional() });

function invalid(issues: readonly { path: readonly PropertyKey[]; message: string }[]) {
  const fieldErrors = zodFieldErrors(issues.map((i) => ({ path: [...i.path], message: i.message })));
  const first = Object.values(fieldErrors)[0]?.[0];
  return fail("validation", first ? `Check the highlighted fields: ${first}` : "Check the highlighted fields.", fieldErrors);
}

const isUuid = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

/** Seals a client secret, or the failure that says why it cannot be stored (no key). */
function seal(secret: string): { sealed: string } | { error: ReturnType<typeof fail> } {
  try {
    return { sealed: sealSecret(secret, CLIENT_SECRET_PURPOSE) };
  } catch (e) {
    if (e instanceof SecretKeyUnavailable) return { error: fail("unavailable", e.message, { client_secret: [e.message] }) };
    throw e;
  }
}

export async function listLoginMethods(): Promise<LoginMethodDto[]> {
  const db = await getDb();
  return (await db.select().from(loginMethods).orderBy(asc(loginMethods.name), asc(loginMethods.createdAt))).map(toDto);
}

export async function getLoginMethod(id: string): Promise<LoginMethodDto | null> {
  if (!isUuid(id)) return null;
  const db = await getDb();
  const [row] = await db.select().from(loginMethods).where(eq(loginMethods.id, id)).limit(1);
  return row ? toDto(row) : null;
}

async function nameTaken(tx: Parameters<Parameters<typeof mutate>[1]>[0], name: string, exceptId?: string) {
  const cond = exceptId ? and(eq(loginMethods.name, name), ne(loginMethods.id, exceptId)) : eq(loginMethods.name, name);
  const [other] = await tx.select({ id: loginMethods.id }).from(loginMethods).where(cond).limit(1);
  if (!other) return null;
  const msg = `A login method named "${name}" already exists; choose another name`;
  return fail("conflict", msg, { name: [msg] });
}

async function notified<T>(r: Result<T>): Promise<Result<T>> {
  // The gateway drops its cached login methods (and provider configurations) at once.
  if (r.ok) await notifyConfigChanged().catch((e: Error) => console.error("[login-methods] notify failed:", e.message));
  return r;
}

export async function createLoginMethod(actor: Actor, input: unknown): Promise<Result<LoginMethodDto>> {
  const parsed = loginMethodInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const d = parsed.data;
  if (!d.client_secret) return invalid([{ path: ["client_secret"], message: "Client secret is required" }]);
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const sealed = seal(d.client_secret);
  if ("error" in sealed) return sealed.error;
  return notified(
    await mutate(actor, async (tx, audit) => {
      const [{ n }] = await tx.select({ n: count() }).from(loginMethods);
      if (n >= MAX_LOGIN_METHODS) return fail("limit", `At most ${MAX_LOGIN_METHODS} login methods can be configured.`);
      const taken = await nameTaken(tx, d.name);
      if (taken) return taken;
      const [row] = await tx
        .insert(loginMethods)
        .values({ name: d.name, issuerUrl: d.issuer_url, clientId: d.client_id, clientSecretSealed: sealed.sealed, scopes: d.scopes, emailClaim: d.email_claim })
        .returning();
      const dto = toDto(row);
      await audit({ action: "login_method.create", resourceType: "login_method", resourceId: row.id, after: { ...dto, client_secret: "set" } });
      return ok(dto);
    }),
  );
}

export const LOGIN_METHOD_STALE_MESSAGE = "This login method was changed by someone else since you opened it. Reload to see the latest version.";

/** Replaces a login method's settings; an empty or absent `client_secret` keeps the stored one. */
export async function updateLoginMethod(actor: Actor, id: string, input: unknown): Promise<Result<LoginMethodDto>> {
  const parsed = loginMethodInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  if (!isUuid(id)) return fail("not_found", "That login method does not exist.");
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const d = parsed.data;
  const sealed = d.client_secret ? seal(d.client_secret) : null;
  if (sealed && "error" in sealed) return sealed.error;
  return notified(
    await mutate(actor, async (tx, audit) => {
      const [row] = await tx.select().from(loginMethods).where(eq(loginMethods.id, id)).for("update");
      if (!row) return fail("not_found", "That login method does not exist (it may have been deleted).");
      if (d.version !== undefined && d.version !== row.version) return fail("stale", LOGIN_METHOD_STALE_MESSAGE);
      const taken = await nameTaken(tx, d.name, id);
      if (taken) return taken;
      const [after] = await tx
        .update(loginMethods)
        .set({
          name: d.name,
          issuerUrl: d.issuer_url,
          clientId: d.client_id,
          scopes: d.scopes,
          emailClaim: d.email_claim,
          ...(sealed ? { clientSecretSealed: sealed.sealed } : {}),
          version: row.version + 1,
          updatedAt: new Date(),
        })
        .where(eq(loginMethods.id, id))
        .returning();
      const dto = toDto(after);
      await audit({ action: "login_method.update", resourceType: "login_method", resourceId: id, before: toDto(row), after: { ...dto, client_secret: sealed ? "changed" : "unchanged" } });
      return ok(dto);
    }),
  );
}

/**
 * Deletes a login method. Refused while an application offers it as its only login method (deleting it would leave
 * that application offering every provider); otherwise it is removed from the applications that list it.
 */
export async function deleteLoginMethod(actor: Actor, id: string): Promise<Result<{ id: string; name: string }>> {
  if (!isUuid(id)) return fail("not_found", "That login method does not exist.");
  return notified(
    await mutate(actor, async (tx, audit) => {
      const [row] = await tx.select().from(loginMethods).where(eq(loginMethods.id, id)).for("update");
      if (!row) return fail("not_found", "That login method does not exist (it may have been deleted).");
      const linked = await tx
        .select({ applicationId: applicationLoginMethods.applicationId })
        .from(applicationLoginMethods)
        .where(eq(applicationLoginMethods.loginMethodId, id));
      const appIds = linked.map((l) => l.applicationId);
      if (appIds.length) {
        const counts = await tx
          .select({ applicationId: applicationLoginMethods.applicationId, name: applications.name, n: count() })
          .from(applicationLoginMethods)
          .innerJoin(applications, eq(applications.id, applicationLoginMethods.applicationId))
          .where(inArray(applicationLoginMethods.applicationId, appIds))
          .groupBy(applicationLoginMethods.applicationId, applications.name);
        const only = counts.filter((c) => c.n === 1).map((c) => c.name).sort();
        if (only.length) {
          const names = only.map((n) => `"${n}"`).join(", ");
          return fail(
            "conflict",
            `${row.name} is the only login method of ${only.length === 1 ? "the application" : "the applications"} ${names}. Choose another login method for ${only.length === 1 ? "it" : "them"} first.`,
            undefined,
            { applications: only },
          );
        }
        await tx.delete(applicationLoginMethods).where(eq(applicationLoginMethods.loginMethodId, id));
      }
      await tx.delete(loginMethods).where(eq(loginMethods.id, id));
      await audit({ action: "login_method.delete", resourceType: "login_method", resourceId: id, before: toDto(row) });
      return ok({ id, name: row.name });
    }),
  );
}

export type LoginMethodTest = { ok: true; provider: DiscoveredProvider } | { ok: false; kind: DiscoveryFailureKind; message: string };

/**
 * The **Test** button: runs discovery for the typed issuer URL (nothing is stored) and returns what the provider
 * answered, or the specific failure. Admins only: it makes the server send a request to an address the caller picks.
 */
export async function testLoginMethod(actor: Actor, input: unknown): Promise<Result<LoginMethodTest>> {
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const parsed = testInputSchema.safeParse(input);
  if (!parsed.success) return invalid(parsed.error.issues);
  const r = await discover({ issuerUrl: parsed.data.issuer_url, clientId: parsed.data.client_id ?? "" });
  return ok(r.ok ? { ok: true, provider: r.provider } : { ok: false, kind: r.failure.kind, message: r.failure.message });
}

/**
 * Every login method with its client secret opened, for the gateway (the process that owns the database; gateway
 * workers get this list over IPC). A secret that does not open is reported per method, never thrown.
 */
export async function loginMethodsForGateway(): Promise<GatewayLoginMethod[]> {
  const db = await getDb();
  const rows = await db.select().from(loginMethods).orderBy(asc(loginMethods.name), asc(loginMethods.createdAt));
  return rows.map((r) => {
    let clientSecret: string | null = null;
    let secretError: string | null = null;
    try {
      clientSecret = openSecret(r.clientSecretSealed, CLIENT_SECRET_PURPOSE);
    } catch (e) {
      if (!(e instanceof SecretBoxError || e instanceof SecretKeyUnavailable)) throw e;
      secretError = e.message;
    }
    return { id: r.id, name: r.name, issuerUrl: r.issuerUrl, clientId: r.clientId, clientSecret, secretError, scopes: r.scopes, emailClaim: r.emailClaim };
  });
}
