import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import { getDb } from "../db/client";
import { getSetting } from "../db/settings";
import { env } from "../env.mjs";
import { writeAudit } from "../domain/audit/record";
import { safeCallbackPath } from "../safe-redirect";
import type { Actor } from "../domain/core/actor";
import { signInWithPassword } from "./credentials";
import { oidcSignIn, type OidcClaims } from "./oidc";
import { authRequest, parseCookieHeader } from "./request-context";
import { clientIp } from "./request-ip";
import { createSession, endSession, SESSION_MAX_AGE_S, sessionUser } from "./sessions";

// Origin comes from the request's Host header so that `PORT=4000 npm start` works without NEXTAUTH_URL.
process.env.AUTH_TRUST_HOST ??= "true";

/** Thrown by the session callback for a cookie whose session was ended: next-auth then clears the cookie. */
const SESSION_ENDED = "PORTCULLIS_SESSION_ENDED";

function oidcProvider(): NextAuthOptions["providers"][number] | null {
  const { OIDC_ISSUER: issuer, OIDC_CLIENT_ID: clientId, OIDC_CLIENT_SECRET: clientSecret, OIDC_NAME } = env();
  if (!issuer || !clientId || !clientSecret) return null;
  return {
    id: "oidc",
    name: OIDC_NAME || "Single sign-on",
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
  return (cached ??= build().catch((err) => {
    cached = undefined;
    throw err;
  }));
}

async function build(): Promise<NextAuthOptions> {
  const secret = env().AUTH_SECRET || env().NEXTAUTH_SECRET || (await getSetting<string>(await getDb(), "auth_secret"));
  if (!secret) throw new Error("No AUTH_SECRET and no generated auth_secret setting: run the migrations first.");
  const oidc = oidcProvider();
  return {
    secret,
    session: { strategy: "jwt", maxAge: SESSION_MAX_AGE_S },
    pages: { signIn: "/login", error: "/login" },
    providers: [
      CredentialsProvider({
        id: "credentials",
        name: "Email and password",
        credentials: { email: { label: "Email", type: "email" }, password: { label: "Password", type: "password" } },
        authorize: (credentials, req) => {
          const headers = req.headers ?? {};
          const ctx = authRequest();
          const cookies = ctx?.cookies ?? parseCookieHeader(typeof headers.cookie === "string" ? headers.cookie : null);
          return signInWithPassword(credentials, { ip: ctx?.ip ?? clientIp(headers), cookies }, secret);
        },
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
      async signIn({ user, account, profile }) {
        if (account?.provider !== "oidc") return true;
        const result = await oidcSignIn((profile ?? {}) as OidcClaims, authRequest(), secret);
        if ("refused" in result) return `/login?error=${result.refused}`;
        user.id = result.userId;
        return true;
      },
      /**
       * The cookie carries only the session id and the user id; everything else is read from the database on
       * each request (lib/auth/session.ts), so ending the session row ends the cookie.
       */
      async jwt({ token, user }) {
        if (!user) return token;
        const ctx = authRequest();
        const sid = await createSession(user.id, { ip: ctx?.ip, userAgent: ctx?.userAgent });
        return { sid, uid: user.id };
      },
      async session({ session, token }) {
        const user = await sessionUser(token.sid, token.uid);
        if (!user) throw new Error(SESSION_ENDED);
        return { expires: session.expires, user: { id: user.id, email: user.email, name: user.name } };
      },
    },
    events: {
      async signOut({ token }) {
        const user = await sessionUser(token?.sid, token?.uid);
        if (!(await endSession(token?.sid)) || !user) return;
        const actor: Actor = { type: "user", id: user.id, label: user.email, role: user.role, permission: "edit", ip: authRequest()?.ip ?? null };
        await writeAudit(await getDb(), actor, { action: "auth.sign_out", resourceType: "session", resourceId: user.id });
      },
    },
    logger: {
      error(code, metadata) {
        // An ended session presenting its old cookie is expected, not a server error.
        const message = (metadata as { message?: string } | undefined)?.message ?? (metadata as { error?: Error } | undefined)?.error?.message;
        if (code === "JWT_SESSION_ERROR" && message === SESSION_ENDED) return;
        console.error(`[next-auth][error][${code}]`, metadata);
      },
      warn(code) {
        if (code !== "DEBUG_ENABLED") console.warn(`[next-auth][warn][${code}]`);
      },
      debug() {},
    },
  };
}
