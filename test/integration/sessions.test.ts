/**
 * Console sessions end for real (issue #12, finding 9): sign-out, Sign out everywhere, a password reset, a role
 * change and deleting the user make an already-issued session cookie worthless at once. Driven through
 * next-auth's own request handling (test/helpers/next-auth.ts) and the console's own cookie check.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { decode, encode } from "next-auth/jwt";
import { getDb } from "@/lib/db/client";
import { auditEvents, users, userSessions } from "@/lib/db/schema";
import { getAuthOptions } from "@/lib/auth/options";
import { changeRole, createFirstAdmin, createUser, deleteUser, resetPassword, signOutEverywhere } from "@/lib/domain/users";
import type { Actor } from "@/lib/domain/core/actor";
import { Browser } from "../helpers/next-auth";

const PW = "a-long-password-1";
let adminId: string;
const admin = (): Actor => ({ type: "user", id: adminId, label: "root@example.com", role: "admin", permission: "edit", ip: "127.0.0.1" });

async function newUser(email: string, role: "admin" | "viewer" = "viewer") {
  const r = await createUser(admin(), { email, name: "", password: PW, role });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.id;
}

async function signedIn(email: string, password = PW, ip = "127.0.0.1") {
  const b = new Browser(ip);
  expect(await b.signIn(email, password)).toBeNull();
  expect((await b.user())?.email).toBe(email);
  return b;
}

beforeAll(async () => {
  const r = await createFirstAdmin({ email: "root@example.com", name: "Root", password: PW }, null);
  if (!r.ok) throw new Error(r.error.message);
  adminId = r.value.id;
});

describe("console sessions", () => {
  it("a sign-in makes a session row; the cookie carries only its id and the user id", async () => {
    const b = await signedIn("root@example.com");
    const raw = b.jar.get("next-auth.session-token")!;
    const token = await decode({ token: raw, secret: (await getAuthOptions()).secret! });
    expect(Object.keys(token!).sort()).toEqual(["exp", "iat", "jti", "sid", "uid"]);
    expect(token!.uid).toBe(adminId);
    const db = await getDb();
    const [row] = await db.select().from(userSessions).where(eq(userSessions.id, token!.sid as string));
    expect(row).toMatchObject({ userId: adminId, ip: "127.0.0.1", userAgent: "vitest" });
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(12 * 3600 * 1000);
    expect((await b.sessionEndpoint()).user).toMatchObject({ email: "root@example.com" });
  });

  it("sign-out ends the session: the captured cookie replayed afterwards is refused", async () => {
    const b = await signedIn("root@example.com");
    const stolen = b.clone("203.0.113.5");
    await b.signOut();
    expect(b.jar.has("next-auth.session-token")).toBe(false);
    expect(await stolen.user()).toBeNull();
    // The session endpoint says nobody is signed in, and tells the browser to drop the cookie.
    expect(await stolen.sessionEndpoint()).toEqual({});
    expect(stolen.jar.has("next-auth.session-token")).toBe(false);
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "auth.sign_out"), eq(auditEvents.actorId, adminId)));
    expect(ev).toMatchObject({ actor: "root@example.com", resourceType: "session" });
  });

  it("sign-out ends only that session; Sign out everywhere ends all of the user's", async () => {
    const id = await newUser("everywhere@example.com");
    const [a, b, c] = [await signedIn("everywhere@example.com"), await signedIn("everywhere@example.com"), await signedIn("everywhere@example.com")];
    const other = await signedIn("root@example.com");
    await a.signOut();
    expect(await b.user()).not.toBeNull();
    const me: Actor = { type: "user", id, label: "everywhere@example.com", role: "viewer", permission: "edit" };
    const r = await signOutEverywhere(me);
    expect(r).toEqual({ ok: true, value: { sessionsEnded: 2 } });
    expect(await b.user()).toBeNull();
    expect(await c.user()).toBeNull();
    expect((await other.user())?.email).toBe("root@example.com");
  });

  it("a password reset ends every session of that user; the new password signs in", async () => {
    const id = await newUser("reset@example.com");
    const [a, b] = [await signedIn("reset@example.com"), await signedIn("reset@example.com", PW, "198.51.100.20")];
    expect((await resetPassword(admin(), { id, password: "brand-new-password-2" })).ok).toBe(true);
    expect(await a.user()).toBeNull();
    expect(await b.user()).toBeNull();
    expect(await new Browser().signIn("reset@example.com", PW)).toBe("Invalid email or password.");
    await signedIn("reset@example.com", "brand-new-password-2");
    const db = await getDb();
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.reset_password"), eq(auditEvents.resourceId, id)));
    expect(ev.after).toMatchObject({ sessionsEnded: 2 });
  });

  it("a role change ends the user's sessions (saving the same role does not)", async () => {
    const id = await newUser("promote@example.com");
    const a = await signedIn("promote@example.com");
    expect((await changeRole(admin(), { id, role: "viewer" })).ok).toBe(true);
    expect((await a.user())?.role).toBe("viewer");
    expect((await changeRole(admin(), { id, role: "admin" })).ok).toBe(true);
    expect(await a.user()).toBeNull();
  });

  it("deleting a user ends their sessions", async () => {
    const id = await newUser("leaver@example.com");
    const a = await signedIn("leaver@example.com");
    expect((await deleteUser(admin(), { id })).ok).toBe(true);
    expect(await a.user()).toBeNull();
    expect(await new Browser().signIn("leaver@example.com", PW)).toBe("Invalid email or password.");
  });

  it("refuses a cookie whose session is expired, or belongs to another user; expired rows are cleaned on sign-in", async () => {
    const viewerId = await newUser("mixed@example.com");
    const a = await signedIn("mixed@example.com");
    const secret = (await getAuthOptions()).secret!;
    const token = (await decode({ token: a.jar.get("next-auth.session-token")!, secret }))!;
    // Same session id, someone else's user id (e.g. a forged or mixed-up token): refused.
    const forged = new Browser();
    forged.jar.set("next-auth.session-token", await encode({ token: { sid: token.sid, uid: adminId }, secret }));
    expect(await forged.user()).toBeNull();
    const db = await getDb();
    await db.update(userSessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(userSessions.id, token.sid as string));
    expect(await a.user()).toBeNull();
    await signedIn("mixed@example.com");
    expect(await db.select().from(userSessions).where(eq(userSessions.id, token.sid as string))).toEqual([]);
    expect((await db.select().from(users).where(eq(users.id, viewerId))).length).toBe(1);
  });

  it("refuses garbage and cookies from before sessions existed (no session id)", async () => {
    const b = new Browser();
    b.jar.set("next-auth.session-token", "garbage");
    expect(await b.user()).toBeNull();
    const secret = (await getAuthOptions()).secret!;
    b.jar.set("next-auth.session-token", await encode({ token: { uid: adminId }, secret }));
    expect(await b.user()).toBeNull();
  });
});
