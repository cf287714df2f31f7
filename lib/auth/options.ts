import { eq } from "drizzle-orm";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { getSetting } from "../db/settings";
import { writeAudit } from "../audit";
import type { Actor } from "../domain/actor";
import { dummyHash, verifyPassword } from "./password";
import { loginLimiters } from "./rate-limit";
import { clientIp } from "./request-ip";
import { safeCallbackPath } from "../safe-redirect";

// Origin comes from the request's Host header so that `PORT=4000 npm start` works without NEXTAUTH_URL.
process.env.AUTH_TRUST_HOST ??= "true";

const anonymous = (label: string, ip: string): Actor => ({
  type: "anonymous",
  id: null,
  label,
  role: "viewer",
  permission: "read",
  ip,
});

async function authorizeCredentials(
  credentials: Record<string, string> | undefined,
  headers: Record<string, string | string[] | undefined>,
) {
  const email = String(credentials?.email ?? "").trim().toLowerCase();
  const password = String(credentials?.password ?? "");
  const ip = clientIp(headers);
  if (!email || !password) throw new Error("Enter your email and password.");
  const limiters = loginLimiters();
  const pairKey = `${ip}|${email}`;
  const wait = Math.max(limiters.pair.blockedFor(pairKey), limiters.email.blockedFor(email));
  const db = await getDb();
  if (wait > 0) {
    await writeAudit(db, anonymous(email, ip), { action: "auth.sign_in_throttled", resourceType: "session", after: { email } });
    throw new Error(`Too many failed sign-in attempts. Try again in ${Math.ceil(wait / 60)} minute(s).`);
  }
  const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
  const valid = user ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await dummyHash(), password), false);
  if (!user || !valid) {
    limiters.pair.fail(pairKey);
    limiters.email.fail(email);
    await writeAudit(db, anonymous(email, ip), { action: "auth.sign_in_failed", resourceType: "session", after: { email } });
    throw new Error("Invalid email or password.");
  }
  limiters.pair.reset(pairKey);
  const actor: Actor = { type: "user", id: user.id, label: user.email, role: user.role, permission: "edit", ip };
  await writeAudit(db, actor, { action: "auth.sign_in", resourceType: "session", resourceId: user.id, after: { email } });
  return { id: user.id, email: user.email, name: user.name };
}

function oidcProvider(): NextAuthOptions["providers"][number] | null {
  const issuer = process.env.OIDC_ISSUER;
  const clientId = process.env.OIDC_CLIENT_ID;
  const clientSecret = process.env.OIDC_CLIENT_SECRET;
  if (!issuer || !clientId || !clientSecret) return null;
  return {
    id: "oidc",
    name: process.env.OIDC_NAME || "Single sign-on",
    type: "oauth",
    wellKnown: `${issuer.replace(/\/$/, "")}/.well-known/openid-configuration`,
    clientId,
    clientSecret,
    idToken: true,
    checks: ["pkce", "state"],
    authorization: { params: { scope: "openid email profile" } },
    profile(profile: { sub: string; email?: string; name?: string }) {
      return { id: profile.sub, email: profile.email ?? null, name: profile.name ?? null };
    },
  };
}

export const oidcEnabled = () => oidcProvider() !== null;

let cached: Promise<NextAuthOptions> | undefined;

/** next-auth options; the secret comes from AUTH_SECRET or the one generated on first start. */
export function getAuthOptions(): Promise<NextAuthOptions> {
  return (cached ??= build());
}

async function build(): Promise<NextAuthOptions> {
  const secret = process.env.AUTH_SECRET || process.env.NEXTAUTH_SECRET || (await getSetting<string>(await getDb(), "auth_secret"));
  const oidc = oidcProvider();
  return {
    secret,
    session: { strategy: "jwt", maxAge: 12 * 60 * 60 },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => authorizeCredentials(credentials, req.headers ?? {}),
      }),
      ...(oidc ? [oidc] : []),
    ],
    callbacks: {
      // Only same-origin paths survive as post-sign-in destinations ("//host" and "/\\host" included).
      redirect({ url, baseUrl }) {
        const origin = new URL(baseUrl).origin;
        let candidate = url;
        try {
          const parsed = new URL(url, baseUrl);
          if (parsed.origin !== origin) return baseUrl;
          candidate = parsed.pathname + parsed.search + parsed.hash;
        } catch {
          return baseUrl;
        }
        return `${origin}${safeCallbackPath(candidate)}`;
      },
      async signIn({ user, account }) {
        if (account?.provider !== "oidc") return true;
        // OIDC signs in only users an admin has added (matched by subject, then by email).
        const db = await getDb();
        const subject = account.providerAccountId;
        let [row] = await db.select().from(users).where(eq(users.oidcSubject, subject)).limit(1);
        if (!row && user.email) {
          [row] = await db.select().from(users).where(eq(users.email, user.email.toLowerCase())).limit(1);
          if (row) await db.update(users).set({ oidcSubject: subject }).where(eq(users.id, row.id));
        }
        if (!row) return "/login?error=NotProvisioned";
        user.id = row.id;
        const actor: Actor = { type: "user", id: row.id, label: row.email, role: row.role, permission: "edit" };
        await writeAudit(db, actor, { action: "auth.sign_in", resourceType: "session", resourceId: row.id, after: { provider: "oidc" } });
        return true;
      },
      async jwt({ token, user }) {
        if (user) token.uid = user.id;
        return token;
      },
      async session({ session, token }) {
        if (session.user) (session.user as { id?: string }).id = token.uid as string;
        return session;
      },
    },
  };
}
