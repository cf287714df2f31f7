import { and, eq, isNull } from "drizzle-orm";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { writeAudit } from "../domain/audit/record";
import type { Actor } from "../domain/core/actor";
import { anonymousActor } from "./credentials";
import { signSsoLink, ssoLinkCookie } from "./sso-link";
import type { AuthRequestContext } from "./request-context";

/** /login?error=… codes for refused single sign-on attempts (app/login/page.tsx words them). */
export type OidcRefusal = "EmailNotVerified" | "NotProvisioned" | "SsoLinkedElsewhere" | "SsoLinkPassword";

export interface OidcClaims {
  sub?: unknown;
  email?: unknown;
  email_verified?: unknown;
}

/** `email_verified` as providers send it: a boolean, or (some providers) the string "true". */
const verified = (v: unknown) => v === true || v === "true";

/**
 * Who a single sign-on attempt signs in as, from the provider's claims (ID token or userinfo):
 * - a user already linked to this provider subject;
 * - otherwise, only with a verified email, the user with that email: linked now if an admin created it without
 *   a password (the admin provisioned it for single sign-on); if it has a password, not linked on the
 *   provider's word: the attempt is remembered in a signed cookie and the next password sign-in in this
 *   browser links it (lib/auth/credentials.ts);
 * - an explicit `email_verified: false` is refused in every case.
 * Returns the user id, or the refusal code. Every outcome is audited.
 */
export async function oidcSignIn(claims: OidcClaims, ctx: AuthRequestContext | undefined, secret: string): Promise<{ userId: string } | { refused: OidcRefusal }> {
  const subject = typeof claims.sub === "string" && claims.sub ? claims.sub : null;
  const email = typeof claims.email === "string" ? claims.email.trim().toLowerCase() : null;
  const ip = ctx?.ip ?? "unknown";
  const db = await getDb();
  const refuse = async (reason: OidcRefusal, userId?: string) => {
    await writeAudit(db, anonymousActor(email ?? subject ?? "unknown", ip), {
      action: "auth.sign_in_refused",
      resourceType: "session",
      resourceId: userId ?? null,
      after: { provider: "oidc", reason, email, subject },
    });
    return { refused: reason };
  };
  if (!subject) return refuse("NotProvisioned");
  if (claims.email_verified !== undefined && !verified(claims.email_verified)) return refuse("EmailNotVerified");

  let [row] = await db.select().from(users).where(eq(users.oidcSubject, subject)).limit(1);
  if (!row) {
    if (!email) return refuse("NotProvisioned");
    if (!verified(claims.email_verified)) return refuse("EmailNotVerified");
    [row] = await db.select().from(users).where(eq(users.email, email)).limit(1);
    if (!row) return refuse("NotProvisioned");
    if (row.oidcSubject) return refuse("SsoLinkedElsewhere", row.id);
    if (row.passwordHash) {
      if (ctx) ctx.setCookies.push(ssoLinkCookie(signSsoLink(secret, { subject, userId: row.id }), ctx.secure));
      return refuse("SsoLinkPassword", row.id);
    }
    const [linked] = await db
      .update(users)
      .set({ oidcSubject: subject, updatedAt: new Date() })
      .where(and(eq(users.id, row.id), isNull(users.oidcSubject)))
      .returning({ id: users.id });
    if (!linked) return refuse("SsoLinkedElsewhere", row.id);
    const actor: Actor = { type: "user", id: row.id, label: row.email, role: row.role, permission: "edit", ip };
    await writeAudit(db, actor, { action: "user.link_sso", resourceType: "user", resourceId: row.id, after: { email: row.email, provider: "oidc", subject, proof: "provisioned" } });
  }
  const actor: Actor = { type: "user", id: row.id, label: row.email, role: row.role, permission: "edit", ip };
  await writeAudit(db, actor, { action: "auth.sign_in", resourceType: "session", resourceId: row.id, after: { provider: "oidc" } });
  return { userId: row.id };
}
