import { and, eq, gt, lt } from "drizzle-orm";
import { getDb, type DbOrTx } from "../db/client";
import { users, userSessions } from "../db/schema";

/**
 * Server-side console sessions. The session cookie (a next-auth JWT) names a row here; deleting the row ends
 * the session at once, whatever the cookie's own expiry says. A session lasts SESSION_MAX_AGE_S from sign-in
 * (not sliding), so a stolen cookie is worth at most that long even if nothing revokes it.
 */
export const SESSION_MAX_AGE_S = 12 * 60 * 60;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: "admin" | "viewer";
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A new session for a user who just proved who they are; expired rows of everyone are cleared on the way. */
export async function createSession(userId: string, meta: { ip?: string | null; userAgent?: string | null } = {}): Promise<string> {
  const db = await getDb();
  const now = new Date();
  await db.delete(userSessions).where(lt(userSessions.expiresAt, now));
  const [row] = await db
    .insert(userSessions)
    .values({
      userId,
      createdAt: now,
      expiresAt: new Date(now.getTime() + SESSION_MAX_AGE_S * 1000),
      ip: meta.ip?.slice(0, 64) ?? null,
      // Bounded: the header is attacker-chosen and only shown to admins as a hint.
      userAgent: meta.userAgent?.slice(0, 512) ?? null,
    })
    .returning({ id: userSessions.id });
  return row.id;
}

/**
 * The user of a live session: the row exists, has not expired and belongs to `userId`. One query (it runs on
 * every console request), joined with users so that a role change or a deleted account shows at once.
 */
export async function sessionUser(sessionId: unknown, userId: unknown): Promise<SessionUser | null> {
  if (typeof sessionId !== "string" || typeof userId !== "string" || !UUID.test(sessionId) || !UUID.test(userId)) return null;
  const db = await getDb();
  const [row] = await db
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(userSessions)
    .innerJoin(users, eq(users.id, userSessions.userId))
    .where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId), gt(userSessions.expiresAt, new Date())))
    .limit(1);
  return row ?? null;
}

/** Ends one session (sign-out). Returns the user it belonged to, or null if it was already gone. */
export async function endSession(sessionId: unknown, db?: DbOrTx): Promise<string | null> {
  if (typeof sessionId !== "string" || !UUID.test(sessionId)) return null;
  const [row] = await (db ?? (await getDb())).delete(userSessions).where(eq(userSessions.id, sessionId)).returning({ userId: userSessions.userId });
  return row?.userId ?? null;
}

/** Ends every session of a user (sign out everywhere, password reset, role change, deletion). Returns how many. */
export async function endUserSessions(db: DbOrTx, userId: string): Promise<number> {
  const rows = await db.delete(userSessions).where(eq(userSessions.userId, userId)).returning({ id: userSessions.id });
  return rows.length;
}
