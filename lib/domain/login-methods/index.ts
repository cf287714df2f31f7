/**
 * Login methods (Settings → Login methods): the OpenID Connect providers people sign in with at the gateway
 * (lib/gateway/identity). Each has a name, the provider's issuer URL, the client ID and secret Portcullis was
 * registered with, the scopes it asks for and the claim that holds the email.
 *
 * The client secret is sealed before it is stored (./client-secret, lib/server/secret-box) and never leaves this
 * folder again except to the gateway, which needs it at the token endpoint: not in a DTO, not in the audit log
 * (which records "set" or "changed"), not in a log line. Saving without a key to seal with (PostgreSQL without
 * PORTCULLIS_SECRET_KEY) fails with the sentence that says what to set.
 *
 * Applications choose which login methods they offer (./applications); a method that is the only one of an
 * application cannot be deleted. What a form or REST body must hold is in ./input.
 */
import { asc, count, eq, inArray, ne, and } from "drizzle-orm";
import { getDb } from "../../db/client";
import { applicationLoginMethods, applications, loginMethods } from "../../db/schema";
import { canWrite, type Actor } from "../core/actor";
import { notifyConfigChanged } from "../core/config-events";
import { mutate } from "../core/mutate";
import { fail, ok, READ_ONLY_MESSAGE, type Result } from "../core/result";
import { seal } from "./client-secret";
import { invalid, loginMethodInputSchema, testInputSchema } from "./input";
import { discover, type DiscoveredProvider, type DiscoveryFailureKind } from "./oidc";

export { DEFAULT_EMAIL_CLAIM, DEFAULT_SCOPES } from "./defaults";
export { CLIENT_SECRET_PURPOSE, loginMethodsForGateway, type GatewayLoginMethod } from "./client-secret";
export { loginMethodInputSchema } from "./input";

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

const isUuid = (v: unknown): v is string => typeof v === "string" && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v);

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
