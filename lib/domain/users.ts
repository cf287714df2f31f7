import { asc, count, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { getDb } from "../db/client";
import { users } from "../db/schema";
import { writeAudit } from "../audit";
import { hashPassword } from "../auth/password";
import type { Actor } from "./actor";
import { mutate } from "./mutate";
import { fail, ok, zodFieldErrors, type Result } from "./result";

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

export const newUserSchema = z.object({ email, name, password, role });
export const firstAdminSchema = z.object({ email, name, password });
export const roleSchema = z.object({ id: z.uuid("Unknown user"), role });
export const resetPasswordSchema = z.object({ id: z.uuid("Unknown user"), password });

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

/** Only while no user exists; a table lock makes two simultaneous first-runs create one admin. */
export async function createFirstAdmin(input: unknown, ip: string | null): Promise<Result<UserDto>> {
  const parsed = firstAdminSchema.safeParse(input);
  if (!parsed.success) return fail("validation", "Check the highlighted fields.", zodFieldErrors(parsed.error.issues));
  const passwordHash = await hashPassword(parsed.data.password);
  const db = await getDb();
  return db.transaction(async (tx) => {
    await tx.execute(sql`lock table users in exclusive mode`);
    const [{ n }] = await tx.select({ n: count() }).from(users);
    if (n > 0) return fail("conflict", "An admin already exists. Sign in instead.");
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
  const passwordHash = await hashPassword(parsed.data.password);
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
    await audit({ action: "user.change_role", resourceType: "user", resourceId: before.id, before: toDto(before), after: toDto(after) });
    return ok(toDto(after));
  });
}

export async function resetPassword(actor: Actor, input: unknown): Promise<Result<UserDto>> {
  const parsed = resetPasswordSchema.safeParse(input);
  if (!parsed.success) return fail("validation", parsed.error.issues[0].message, zodFieldErrors(parsed.error.issues));
  const passwordHash = await hashPassword(parsed.data.password);
  return mutate(actor, async (tx, audit) => {
    const [row] = await tx.update(users).set({ passwordHash, updatedAt: new Date() }).where(eq(users.id, parsed.data.id)).returning();
    if (!row) return fail("not_found", "That user no longer exists.");
    await audit({ action: "user.reset_password", resourceType: "user", resourceId: row.id, after: { email: row.email } });
    return ok(toDto(row));
  });
}
