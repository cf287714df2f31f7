/**
 * Sign-ins under way at the gateway (table gateway_sign_ins): written when the gateway sends a browser to its
 * identity provider, taken — read and deleted in one statement — when the provider sends it back. A state can
 * therefore be used once, on whichever gateway instance or worker the callback reaches. Bookkeeping, not an
 * actor's change: written directly, not audited.
 */
import { and, eq, lt } from "drizzle-orm";
import { getDb } from "../../db/client";
import { gatewaySignIns } from "../../db/schema";

/** One authorization request (plain data: gateway workers ship it to the primary over IPC). */
export interface PendingSignIn {
  /** SHA-256 (hex) of the `state` sent to the provider */
  id: string;
  loginMethodId: string;
  applicationId: string;
  /** SHA-256 (hex) of the browser's binding cookie: a callback from another browser does not match */
  browserHash: string;
  codeVerifier: string;
  nonce: string;
  /** the callback URL sent as redirect_uri (the token request repeats it) */
  redirectUri: string;
  /** where the browser goes after signing in (checked to be on the application's own host) */
  returnTo: string;
  /** epoch ms */
  expiresAt: number;
}

/** Stores a pending sign-in; removes expired ones first. */
export async function saveSignIn(s: PendingSignIn): Promise<void> {
  const db = await getDb();
  await db.delete(gatewaySignIns).where(lt(gatewaySignIns.expiresAt, new Date()));
  await db.insert(gatewaySignIns).values({ ...s, expiresAt: new Date(s.expiresAt) });
}

export type TakenSignIn = { status: "ok"; signIn: PendingSignIn } | { status: "other_browser" } | { status: "unknown" };

/**
 * Takes (reads and deletes) the pending sign-in for a state hash if `browserHash` is the browser that started it.
 * A callback from another browser leaves it in place (so it cannot spoil the real one) and is told so; an unknown
 * or already-taken state is `unknown`.
 */
export async function takeSignIn(id: string, browserHash: string): Promise<TakenSignIn> {
  const db = await getDb();
  const [row] = await db.delete(gatewaySignIns).where(and(eq(gatewaySignIns.id, id), eq(gatewaySignIns.browserHash, browserHash))).returning();
  if (row) return { status: "ok", signIn: { ...row, expiresAt: row.expiresAt.getTime() } };
  const [other] = await db.select({ id: gatewaySignIns.id }).from(gatewaySignIns).where(eq(gatewaySignIns.id, id)).limit(1);
  return other ? { status: "other_browser" } : { status: "unknown" };
}
