import { asc, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../../db/client";
import { apiTokens, users } from "../../db/schema";
import { writeAudit } from "../audit/record";
import { hashPassword, PasswordBusyError } from "../../auth/password";
import { endUserSessions } from "../../auth/sessions";
import { canWrite, type Actor } from "../core/actor";
import { mutate } from "../core/mutate";
import { fail, ok, READ_ONLY_MESSAGE, zodFieldErrors, type Result } from "../core/result";

export interface UserDto {
  id: string;
  email: string;
  name: string;
  role: "admin" | "viewer";
  sso: boolean;
  createdAt: string;
}

const email = z.string().trim().toLowerCase().min(1, "Email is required").max(254, "Email is too long").pipe(z.email("Enter a valid email address"));
const password = z
  .string()
  .min(12, "Password must be at least 12 characters")
  .max(256, "Password must be at most 256 characters");
const name = z.string().trim().max(200, "Name must be at most 200 characters");
const role = z.enum(["admin", "viewer"], { error: "Choose a role: Admin or Viewer" });

// Empty means "no password": a single sign-on only account, linked on its first verified SSO sign-in.
const optionalPassword = z.preprocess((v) => (v === "" || v === null ? undefined : v), password.optional());

export const newUserSchema = z.object({ email, name, password: optionalPassword, role });
export const firstAdminSchema = z.object({ email, name, password });
export const roleSchema = z.object({ id: z.uuid("Unknown user"), role });
export const resetPasswordSchema = z.object({ id: z.uuid("Unknown user"), password });
export const deleteUserSchema = z.object({ id: z.uuid("Unknown user") });

/** Password hashing is bounded (lib/auth/password.ts); a saturated server answers "busy" as a value. */
async function hashOrBusy(plain: string): Promise<Result<string>> {
  try {
    return ok(await hashPassword(plain));
  } catch (err) {
    if (err instanceof PasswordBusyError) return fail("rate_limited", err.message);
    throw err;
  }
}

const toDto = (u: typeof users.$inferSelect): UserDto => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  sso: !!u.oidcSubject,
  createdAt: u.createdAt.toISOString(),
});

export async function countUsers(): Promise<number> {
  const db = await getDb();
  const [row] = await db.select({ n: count() }).from(users);
  return row.n;
}

export async function listUsers(): Promise<UserDto[]> {
  const db = await getDb();
  return (await db.select().from(users).orderBy(asc(users.email))).map(toDto);
}

const ADMIN_EXISTS = "An admin already exists. Sign in instead.";

/**
 * Only while no user exists; a table lock makes two simultaneous first-runs create one admin. The cheap count
 * comes before the expensive hash, so this public action costs nothing once the instance is set up.
 */
export async function createFirstAdmin(input: unknown, ip: string | null): Promise<Result<UserDto>> {
  const db = await getDb();
  const [{ n: existing }] = await db.select({ n: count() }).from(users);
  if (existing > 0) return fail("conflict", ADMIN_EXISTS);
  const parsed = firstAdminSchema.safeParse(input);
  if (!parsed.success) return fail("validation", "Check the highlighted fields.", zodFieldErrors(parsed.error.issues));
  const hashed = await hashOrBusy(parsed.data.password);
  if (!hashed.ok) return hashed;
  const passwordHash = hashed.value;
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in exclusive mode`);
    const [{ n }] = await tx.select({ n: count() }).from(users);
    if (n > 0) return fail("conflict", ADMIN_EXISTS);
    const [row] = await tx
      .insert(users)
      .values({ email: parsed.data.email, name: parsed.data.name, role: "admin", passwordHash })
      .returning();
    const actor: Actor = { type: "user", id: row.id, label: row.email, role: "admin", permission: "edit", ip };
    await writeAudit(tx, actor, { action: "user.create_first_admin", resourceType: "user", resourceId: row.id, after: toDto(row) });
    return ok(toDto(row));
  });
}

export async function createUser(actor: Actor, input: unknown): Promise<Result<UserDto>> {
  const parsed = newUserSchema.safeParse(input);
  if (!parsed.success) return fail("validation", "Check the highlighted fields.", zodFieldErrors(parsed.error.issues));
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  let passwordHash: string | null = null;
  if (parsed.data.password !== undefined) {
    const hashed = await hashOrBusy(parsed.data.password);
    if (!hashed.ok) return hashed;
    passwordHash = hashed.value;
  }
  return mutate(actor, async (tx, audit) => {
    const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, parsed.data.email)).limit(1);
    if (existing) return fail("conflict", `A user with email ${parsed.data.email} already exists.`, { email: ["This email is already in use"] });
    const [row] = await tx
      .insert(users)
      .values({ email: parsed.data.email, name: parsed.data.name, role: parsed.data.role, passwordHash })
      .returning();
    await audit({ action: "user.create", resourceType: "user", resourceId: row.id, after: toDto(row) });
    return ok(toDto(row));
  });
}

export async function changeRole(actor: Actor, input: unknown): Promise<Result<UserDto>> {
  const parsed = roleSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  return mutate(actor, async (tx, audit) => {
    const [before] = await tx.select().from(users).where(eq(users.id, parsed.data.id)).limit(1);
    if (!before) return fail("not_found", "That user no longer exists.");
    if (before.role === "admin" && parsed.data.role !== "admin") {
      const [{ n }] = await tx.select({ n: count() }).from(users).where(eq(users.role, "admin"));
      if (n <= 1) return fail("conflict", "This is the last admin; make another user an admin first.", { role: ["The last admin cannot be demoted"] });
    }
    const [after] = await tx.update(users).set({ role: parsed.data.role, updatedAt: new Date() }).where(eq(users.id, before.id)).returning();
    // New rights start with a new sign-in: every open session of the user ends with the change.
    const sessionsEnded = before.role === after.role ? 0 : await endUserSessions(tx, before.id);
    await audit({ action: "user.change_role", resourceType: "user", resourceId: before.id, before: toDto(before), after: { ...toDto(after), sessionsEnded } });
    return ok(toDto(after));
  });
}

export async function resetPassword(actor: Actor, input: unknown): Promise<Result<UserDto>> {
  const parsed = resetPasswordSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  if (!canWrite(actor)) return fail("forbidden", READ_ONLY_MESSAGE);
  const hashed = await hashOrBusy(parsed.data.password);
  if (!hashed.ok) return hashed;
  return mutate(actor, async (tx, audit) => {
    const [row] = await tx.update(users).set({ passwordHash: hashed.value, updatedAt: new Date() }).where(eq(users.id, parsed.data.id)).returning();
    if (!row) return fail("not_found", "That user no longer exists.");
    // Whoever held the old password (or a session opened with it) is out at once.
    const sessionsEnded = await endUserSessions(tx, row.id);
    await audit({ action: "user.reset_password", resourceType: "user", resourceId: row.id, after: { email: row.email, sessionsEnded } });
    return ok(toDto(row));
  });
}

/** Deletes a user with their sessions and API tokens. Nobody deletes themself or the last admin. */
export async function deleteUser(actor: Actor, input: unknown): Promise<Result<UserDto>> {
  const parsed = deleteUserSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  return mutate(actor, async (tx, audit) => {
    if (actor.type === "user" && actor.id === parsed.data.id) {
      return fail("conflict", "You cannot delete your own account. Ask another admin to do it.");
    }
    const [before] = await tx.select().from(users).where(eq(users.id, parsed.data.id)).limit(1).for("update");
    if (!before) return fail("not_found", "That user no longer exists.");
    if (before.role === "admin") {
      const [{ n }] = await tx.select({ n: count() }).from(users).where(eq(users.role, "admin"));
      if (n <= 1) return fail("conflict", "This is the last admin; make another user an admin first.");
    }
    const sessionsEnded = await endUserSessions(tx, before.id);
    const tokens = await tx.delete(apiTokens).where(eq(apiTokens.userId, before.id)).returning({ id: apiTokens.id });
    await tx.delete(users).where(eq(users.id, before.id));
    await audit({ action: "user.delete", resourceType: "user", resourceId: before.id, before: toDto(before), after: { sessionsEnded, apiTokensDeleted: tokens.length } });
    return ok(toDto(before));
  });
}

/** "Sign out everywhere": ends every session of the signed-in user (any role may). */
export async function signOutEverywhere(actor: Actor): Promise<Result<{ sessionsEnded: number }>> {
  if (actor.type !== "user" || !actor.id) return fail("unauthenticated", "Your session has ended. Sign in again.");
  const userId = actor.id;
  const db = await getDb();
  return db.transaction(async (tx) => {
    const sessionsEnded = await endUserSessions(tx, userId);
    await writeAudit(tx, actor, { action: "auth.sign_out_everywhere", resourceType: "session", resourceId: userId, after: { sessionsEnded } });
    return ok({ sessionsEnded });
  });
}
