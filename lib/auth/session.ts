import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { headers } from "next/headers";
import { connection } from "next/server";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import type { Actor } from "../domain/actor";
import { getAuthOptions } from "./options";
import { clientIp } from "./request-ip";

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "viewer";
}

/**
 * The signed-in user, re-read from the database on every request so that a role change or a removed
 * account takes effect at once (the session cookie only carries the user id). Memoised per server render
 * (React `cache`), so the layout and the page share one session decode and one query.
 */
export const currentUser = cache(async function currentUser(): Promise<SessionUser | null> {
  // Request-time only: never prerendered, never touches the database during `next build`.
  await connection();
  const session = await getServerSession(await getAuthOptions());
  const id = (session?.user as { id?: string } | undefined)?.id;
  if (!id || !/^[0-9a-f-]{36}$/i.test(id)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(eq(users.id, id))
    .limit(1);
  return row ?? null;
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
