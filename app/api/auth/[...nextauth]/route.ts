import NextAuth from "next-auth";
import type { NextRequest } from "next/server";
import { getAuthOptions } from "@/lib/auth/options";
import { parseCookieHeader, withAuthRequest, type AuthRequestContext } from "@/lib/auth/request-context";
import { clientIp } from "@/lib/auth/request-ip";
import { env } from "@/lib/env.mjs";

type Ctx = { params: Promise<{ nextauth: string[] }> };

/**
 * next-auth, run inside a request context (lib/auth/request-context.ts) that gives its callbacks the client's
 * address, user agent and cookies, and lets them add cookies to the response (the single sign-on link).
 */
async function handler(req: NextRequest, ctx: Ctx) {
  const nextAuth = NextAuth(await getAuthOptions());
  const context: AuthRequestContext = {
    ip: clientIp(req.headers),
    userAgent: req.headers.get("user-agent"),
    cookies: parseCookieHeader(req.headers.get("cookie")),
    secure: (env().NEXTAUTH_URL ?? "").startsWith("https:") || req.headers.get("x-forwarded-proto") === "https" || req.nextUrl.protocol === "https:",
    setCookies: [],
  };
  const params = await ctx.params;
  const res: Response = await withAuthRequest(context, () => nextAuth(req, { params }));
  for (const cookie of context.setCookies) res.headers.append("set-cookie", cookie);
  return res;
}

export { handler as GET, handler as POST };
