/**
 * Issue #12, finding 4: console single sign-on against a real OpenID provider (oidc-provider on 127.0.0.1),
 * through next-auth's real authorization-code flow (state, PKCE, code exchange, ID token validation).
 * An unverified email must never sign in; a provider subject is never silently linked to a password account.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";
import { createFirstAdmin, createUser } from "@/lib/domain/users";
import type { Actor } from "@/lib/domain/core/actor";
import { SSO_LINK_COOKIE } from "@/lib/auth/sso-link";
import { Browser, ORIGIN } from "../helpers/next-auth";
import { authorizeAtIdp, startIdp, type IdpAccount, type TestIdp } from "../helpers/oidc-provider";

const REDIRECT = `${ORIGIN}/api/auth/callback/oidc`;
const ADMIN = "admin@example.com";
const PW = "the-admin-password-1";
let idp: TestIdp;
let adminId: string;

beforeAll(async () => {
  idp = await startIdp(REDIRECT);
  process.env.OIDC_ISSUER = idp.issuer;
  process.env.OIDC_CLIENT_ID = idp.clientId;
  process.env.OIDC_CLIENT_SECRET = idp.clientSecret;
  const r = await createFirstAdmin({ email: ADMIN, name: "Admin", password: PW }, null);
  if (!r.ok) throw new Error(r.error.message);
  adminId = r.value.id;
});
afterAll(() => idp?.close());

/** The whole flow in one browser: "Sign in with single sign-on", the provider, back to our callback. */
async function ssoSignIn(browser: Browser, account: IdpAccount): Promise<{ error: string | null; location: string }> {
  idp.login(account);
  const csrfToken = await browser.csrf();
  const start = await browser.call({ action: "signin", providerId: "oidc", method: "POST", body: { csrfToken, callbackUrl: "/", json: "true" } });
  expect(start.redirect, "next-auth sends the browser to the provider").toMatch(new RegExp(`^${idp.issuer}/auth\\?`));
  const back = await authorizeAtIdp(start.redirect!, REDIRECT);
  const done = await browser.call({ action: "callback", providerId: "oidc", method: "GET", query: Object.fromEntries(back.searchParams) });
  const location = new URL(done.redirect ?? "/", ORIGIN);
  return { error: location.pathname === "/login" ? location.searchParams.get("error") : null, location: location.toString() };
}

const subjectOf = async (email: string) => {
  const db = await getDb();
  return (await db.select({ s: users.oidcSubject }).from(users).where(eq(users.email, email)))[0]?.s ?? null;
};

describe("console single sign-on", () => {
  it("refuses an identity provider account with the admin's email and email_verified: false, and links nothing", async () => {
    const b = new Browser();
    const r = await ssoSignIn(b, { sub: "idp-attacker", email: ADMIN, email_verified: false });
    expect(r.error).toBe("EmailNotVerified");
    expect(await b.user()).toBeNull();
    expect(await subjectOf(ADMIN)).toBeNull();
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(eq(auditEvents.action, "auth.sign_in_refused"));
    expect(ev.after).toMatchObject({ provider: "oidc", reason: "EmailNotVerified", email: ADMIN, subject: "idp-attacker" });
  });

  it("refuses an account whose provider says nothing about verification", async () => {
    const b = new Browser();
    expect((await ssoSignIn(b, { sub: "idp-silent", email: ADMIN })).error).toBe("EmailNotVerified");
    expect(await b.user()).toBeNull();
  });

  it("refuses an email nobody added", async () => {
    const b = new Browser();
    expect((await ssoSignIn(b, { sub: "idp-stranger", email: "stranger@example.com", email_verified: true })).error).toBe("NotProvisioned");
    expect(await b.user()).toBeNull();
  });

  it("a verified email of a password account is not linked on the provider's word: the password, proven in the same browser, links it", async () => {
    const b = new Browser();
    const r = await ssoSignIn(b, { sub: "idp-admin", email: ADMIN, email_verified: true });
    expect(r.error).toBe("SsoLinkPassword");
    expect(await b.user()).toBeNull();
    expect(await subjectOf(ADMIN)).toBeNull();
    expect(b.jar.has(SSO_LINK_COOKIE)).toBe(true);

    // Another browser (no link cookie) signing in with the password links nothing.
    expect(await new Browser().signIn(ADMIN, PW)).toBeNull();
    expect(await subjectOf(ADMIN)).toBeNull();
    // A wrong password in the browser that tried SSO links nothing either.
    expect(await b.signIn(ADMIN, "not-the-password")).toBe("Invalid email or password.");
    expect(await subjectOf(ADMIN)).toBeNull();

    expect(await b.signIn(ADMIN, PW)).toBeNull();
    expect(await subjectOf(ADMIN)).toBe("idp-admin");
    expect(b.jar.has(SSO_LINK_COOKIE)).toBe(false);
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.link_sso"), eq(auditEvents.resourceId, adminId)));
    expect(ev.after).toMatchObject({ provider: "oidc", subject: "idp-admin", proof: "password" });

    // From now on the subject signs in (as the admin) on its own.
    const later = new Browser();
    expect((await ssoSignIn(later, { sub: "idp-admin", email: ADMIN, email_verified: true })).error).toBeNull();
    expect((await later.user())?.id).toBe(adminId);
    // … but an explicit email_verified: false is still refused.
    expect((await ssoSignIn(new Browser(), { sub: "idp-admin", email: ADMIN, email_verified: false })).error).toBe("EmailNotVerified");
  });

  it("a forged link cookie links nothing", async () => {
    const admin: Actor = { type: "user", id: adminId, label: ADMIN, role: "admin", permission: "edit" };
    const u = await createUser(admin, { email: "forged@example.com", name: "", password: PW, role: "viewer" });
    if (!u.ok) throw new Error(u.error.message);
    const b = new Browser();
    const payload = Buffer.from(JSON.stringify({ s: "idp-forger", u: u.value.id, e: Date.now() + 60_000 })).toString("base64url");
    b.jar.set(SSO_LINK_COOKIE, `${payload}.${Buffer.alloc(32).toString("base64url")}`);
    expect(await b.signIn("forged@example.com", PW)).toBeNull();
    expect(await subjectOf("forged@example.com")).toBeNull();
  });

  it("a user an admin added without a password is linked on its first verified sign-in; another subject cannot take it over", async () => {
    const admin: Actor = { type: "user", id: adminId, label: ADMIN, role: "admin", permission: "edit" };
    const u = await createUser(admin, { email: "sso-user@example.com", name: "", password: "", role: "viewer" });
    if (!u.ok) throw new Error(u.error.message);
    const b = new Browser();
    expect((await ssoSignIn(b, { sub: "idp-sso-user", email: "sso-user@example.com", email_verified: true })).error).toBeNull();
    expect((await b.user())?.email).toBe("sso-user@example.com");
    expect(await subjectOf("sso-user@example.com")).toBe("idp-sso-user");
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.link_sso"), eq(auditEvents.resourceId, u.value.id)));
    expect(ev.after).toMatchObject({ proof: "provisioned", subject: "idp-sso-user" });
    expect((await ssoSignIn(new Browser(), { sub: "idp-other", email: "sso-user@example.com", email_verified: true })).error).toBe("SsoLinkedElsewhere");
    // Nobody signs in to the password-less account with a password.
    expect(await new Browser().signIn("sso-user@example.com", "anything-at-all")).toBe("Invalid email or password.");
  });
});
