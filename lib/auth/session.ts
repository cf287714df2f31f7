import { cookies, headers } from "next/headers";
import { connection } from "next/server";
import { redirect } from "next/navigation";
import { cache } from "react";
import type { Actor } from "../domain/core/actor";
import { clientIp } from "./request-ip";
import { userFromSessionCookies } from "./session-token";
import type { SessionUser } from "./sessions";

export type { SessionUser };

/**
 * The signed-in user: the session cookie must name a live session row (lib/auth/sessions.ts), read together
 * with the user in one query on every request, so that sign-out, a password reset, a role change or a deleted
 * account take effect at once. Memoised per server render (React `cache`), so the layout and the page share it.
 */
export const currentUser = cache(async function currentUser(): Promise<SessionUser | null> {
  // Request-time only: never prerendered, never touches the database during `next build`.
  await connection();
  const jar = await cookies();
  return userFromSessionCookies((name) => jar.get(name)?.value);
});

export async function currentActor(): Promise<Actor | null> {
  const user = await currentUser();
  if (!user) return null;
  const ip = clientIp(await headers());
  return { type: "user", id: user.id, label: user.email, role: user.role, permission: "edit", ip };
}

/** For pages: the signed-in user or a redirect to /login. */
export async function requireUser(): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect("/login");
  return user;
}
