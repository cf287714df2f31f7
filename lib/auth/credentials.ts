import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { writeAudit } from "../domain/audit/record";
import type { Actor } from "../domain/core/actor";
import { dummyHash, PasswordBusyError, verifyPassword } from "./password";
import { describeWait, loginThrottle } from "./rate-limit";
import { authRequest } from "./request-context";
import { clearSsoLinkCookie, SSO_LINK_COOKIE, verifySsoLink } from "./sso-link";

export const anonymousActor = (label: string, ip: string): Actor => ({ type: "anonymous", id: null, label, role: "viewer", permission: "read", ip });

export interface PasswordSignIn {
  id: string;
  email: string;
  name: string;
}

/**
 * Email + password sign-in, throttled per source (lib/auth/rate-limit.ts). Throws an Error whose message the
 * sign-in form shows. `cookies` are the request's (for a pending single sign-on link, see sso-link.ts).
 */
export async function signInWithPassword(
  credentials: Record<string, unknown> | undefined,
  req: { ip: string; cookies?: Record<string, string> },
  secret: string,
): Promise<PasswordSignIn> {
  const email = String(credentials?.email ?? "").trim().toLowerCase().slice(0, 254);
  const password = String(credentials?.password ?? "");
  const { ip } = req;
  if (!email || !password) throw new Error("Enter your email and password.");
  if (password.length > 1024) throw new Error("Invalid email or password.");
  const throttle = loginThrottle();
  const db = await getDb();
  // Counted as a failure from here on (shared by every instance, lib/auth/rate-limit.ts) until proven otherwise.
  const gate = await throttle.begin(ip, email);
  if (!gate.attempt) {
    await writeAudit(db, anonymousActor(email, ip), { action: "auth.sign_in_throttled", resourceType: "session", after: { email } });
    throw new Error(`Too many failed sign-in attempts from your network. Try again in ${describeWait(gate.waitMs)}.`);
  }
  let outcome: "failed" | "succeeded" | "void" = "void";
  let user: typeof users.$inferSelect;
  try {
    const [found] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    let valid: boolean;
    try {
      // Unknown emails and password-less (single sign-on only) accounts cost the same time as a wrong password.
      // Addresses that signed in before go first when the server is saturated (lib/auth/password.ts).
      const priority = throttle.isTrusted(ip);
      valid = found?.passwordHash
        ? await verifyPassword(found.passwordHash, password, { priority })
        : (await verifyPassword(await dummyHash(), password, { priority }), false);
    } catch (err) {
      if (err instanceof PasswordBusyError) throw new Error(err.message);
      throw err;
    }
    if (!found || !valid) {
      outcome = "failed";
      await writeAudit(db, anonymousActor(email, ip), { action: "auth.sign_in_failed", resourceType: "session", after: { email } });
      throw new Error("Invalid email or password.");
    }
    outcome = "succeeded";
    user = found;
  } finally {
    await throttle.finish(gate.attempt, outcome).catch((err: Error) => console.error("[sign-in] throttle not updated:", err.message));
  }
  const actor: Actor = { type: "user", id: user.id, label: user.email, role: user.role, permission: "edit", ip };
  await writeAudit(db, actor, { action: "auth.sign_in", resourceType: "session", resourceId: user.id, after: { email } });
  await completePendingSsoLink(req.cookies?.[SSO_LINK_COOKIE], user, actor, secret);
  return { id: user.id, email: user.email, name: user.name };
}

/**
 * The person just proved the account's password; if this browser holds a pending single sign-on link for
 * this very account, the provider subject is linked now (and the cookie cleared).
 */
async function completePendingSsoLink(cookie: string | undefined, user: typeof users.$inferSelect, actor: Actor, secret: string) {
  if (!cookie) return;
  const ctx = authRequest();
  ctx?.setCookies.push(clearSsoLinkCookie(ctx.secure));
  const link = verifySsoLink(secret, cookie);
  if (!link || link.userId !== user.id || user.oidcSubject) return;
  const db = await getDb();
  await db.transaction(async (tx) => {
    const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.oidcSubject, link.subject)).limit(1);
    if (taken) return;
    const [linked] = await tx
      .update(users)
      .set({ oidcSubject: link.subject, updatedAt: new Date() })
      .where(and(eq(users.id, user.id), isNull(users.oidcSubject)))
      .returning({ id: users.id });
    if (linked) {
      await writeAudit(tx, actor, { action: "user.link_sso", resourceType: "user", resourceId: user.id, after: { email: user.email, provider: "oidc", subject: link.subject, proof: "password" } });
    }
  });
}
