import NextAuth from "next-auth";
import { getAuthOptions } from "@/lib/auth/options";

type Ctx = { params: Promise<{ nextauth: string[] }> };

async function handler(req: Request, ctx: Ctx) {
  const nextAuth = NextAuth(await getAuthOptions());
  return nextAuth(req, { params: await ctx.params });
}

export { handler as GET, handler as POST };
