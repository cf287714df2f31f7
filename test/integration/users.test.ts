import { describe, expect, it, vi } from "vitest";
import { and, count, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { apiTokens, auditEvents, users } from "@/lib/db/schema";
import { changeRole, createFirstAdmin, createUser, deleteUser, listUsers, resetPassword } from "@/lib/domain/users";
import { createApiToken } from "@/lib/domain/api-tokens";
import type { Actor } from "@/lib/domain/core/actor";
import { READ_ONLY_MESSAGE } from "@/lib/domain/core/result";
import { argon2Slots, verifyPassword } from "@/lib/auth/password";
import { adminActor, viewerActor } from "../helpers/actors";

describe("users", () => {
  it("creates the first admin only once", async () => {
    const first = await createFirstAdmin({ email: "Root@Example.com", name: "Root", password: "a-long-password-1" }, "127.0.0.1");
    expect(first.ok).toBe(true);
    if (first.ok) expect(first.value.email).toBe("root@example.com");
    const second = await createFirstAdmin({ email: "other@example.com", name: "", password: "a-long-password-1" }, null);
    expect(second.ok).toBe(false);
    if (!second.ok) expect(second.error.kind).toBe("conflict");
  });

  it("once an admin exists, the public first-admin action refuses without hashing anything (issue #12, finding 12)", async () => {
    const slots = vi.spyOn(argon2Slots(), "run");
    try {
      const started = performance.now();
      const results = await Promise.all(
        Array.from({ length: 50 }, (_, i) => createFirstAdmin({ email: `flood-${i}@example.com`, name: "", password: `a-long-password-${i}` }, "192.0.2.1")),
      );
      for (const r of results) expect(r).toEqual({ ok: false, error: expect.objectContaining({ kind: "conflict", message: "An admin already exists. Sign in instead." }) });
      expect(slots).not.toHaveBeenCalled();
      // 50 argon2 hashes would take seconds on this machine; refusals are database reads only.
      expect(performance.now() - started).toBeLessThan(2000);
    } finally {
      slots.mockRestore();
    }
  });

  it("validates input with field-specific messages", async () => {
    const r = await createUser(adminActor, { email: "not-an-email", name: "", password: "short", role: "owner" });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.fieldErrors?.email?.[0]).toMatch(/valid email/);
      expect(r.error.fieldErrors?.password?.[0]).toMatch(/12 characters/);
      expect(r.error.fieldErrors?.role?.[0]).toMatch(/Admin or Viewer/);
    }
  });

  it("refuses every change from a viewer with the read-only message", async () => {
    const results = await Promise.all([
      createUser(viewerActor, { email: "v@example.com", name: "", password: "a-long-password-1", role: "viewer" }),
      changeRole(viewerActor, { id: "00000000-0000-4000-8000-000000000000", role: "admin" }),
      resetPassword(viewerActor, { id: "00000000-0000-4000-8000-000000000000", password: "a-long-password-1" }),
    ]);
    for (const r of results) {
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.message).toBe(READ_ONLY_MESSAGE);
    }
  });

  it("adds users, changes roles, resets passwords, and audits each change in its transaction", async () => {
    const db = await getDb();
    const [{ n: before }] = await db.select({ n: count() }).from(auditEvents);
    const created = await createUser(adminActor, { email: "ops@example.com", name: "Ops", password: "a-long-password-1", role: "viewer" });
    expect(created.ok).toBe(true);
    if (!created.ok) return;
    const dup = await createUser(adminActor, { email: "OPS@example.com", name: "", password: "a-long-password-1", role: "viewer" });
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.error.fieldErrors?.email?.[0]).toMatch(/already in use/);
    expect((await changeRole(adminActor, { id: created.value.id, role: "admin" })).ok).toBe(true);
    expect((await resetPassword(adminActor, { id: created.value.id, password: "another-long-pass" })).ok).toBe(true);
    const [row] = await db.select().from(users).where(eq(users.id, created.value.id));
    expect(row.role).toBe("admin");
    expect(await verifyPassword(row.passwordHash, "another-long-pass")).toBe(true);
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    const [{ n: after }] = await db.select({ n: count() }).from(auditEvents);
    expect(after - before).toBe(3);
    const events = await db.select().from(auditEvents);
    expect(JSON.stringify(events)).not.toContain("another-long-pass");
    expect((await listUsers()).map((u) => u.email)).toContain("ops@example.com");
  });

  it("never demotes the last admin", async () => {
    const admins = (await listUsers()).filter((u) => u.role === "admin");
    for (const a of admins.slice(1)) await changeRole(adminActor, { id: a.id, role: "viewer" });
    const r = await changeRole(adminActor, { id: admins[0].id, role: "viewer" });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.message).toMatch(/last admin/);
  });
});

describe("deleting users", () => {
  const PW = "a-long-password-1";
  async function add(email: string, role: "admin" | "viewer") {
    const r = await createUser(adminActor, { email, name: "", password: PW, role });
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  }

  it("deletes a user with their API tokens, audited; the email can be used again", async () => {
    const u = await add("gone@example.com", "admin");
    const owner: Actor = { type: "user", id: u.id, label: u.email, role: "admin", permission: "edit" };
    expect((await createApiToken(owner, { name: "gone-token", permission: "edit" })).ok).toBe(true);
    const r = await deleteUser(adminActor, { id: u.id });
    expect(r.ok).toBe(true);
    const db = await getDb();
    expect(await db.select().from(users).where(eq(users.id, u.id))).toEqual([]);
    expect(await db.select().from(apiTokens).where(eq(apiTokens.userId, u.id))).toEqual([]);
    const [ev] = await db.select().from(auditEvents).where(and(eq(auditEvents.action, "user.delete"), eq(auditEvents.resourceId, u.id)));
    expect(ev.before).toMatchObject({ email: "gone@example.com" });
    expect(ev.after).toMatchObject({ apiTokensDeleted: 1 });
    expect((await add("gone@example.com", "viewer")).email).toBe("gone@example.com");
  });

  it("refuses self-deletion, the last admin, viewers, unknown and malformed ids with clear messages", async () => {
    const me = await add("me@example.com", "admin");
    const self: Actor = { type: "user", id: me.id, label: me.email, role: "admin", permission: "edit" };
    const r1 = await deleteUser(self, { id: me.id });
    expect(r1.ok === false && r1.error.message).toBe("You cannot delete your own account. Ask another admin to do it.");
    const admins = (await listUsers()).filter((u) => u.role === "admin");
    for (const a of admins.filter((a) => a.id !== me.id)) expect((await deleteUser(self, { id: a.id })).ok).toBe(true);
    const r2 = await deleteUser(adminActor, { id: me.id });
    expect(r2.ok === false && r2.error.message).toBe("This is the last admin; make another user an admin first.");
    const r3 = await deleteUser(viewerActor, { id: me.id });
    expect(r3.ok === false && r3.error.message).toBe(READ_ONLY_MESSAGE);
    const r4 = await deleteUser(adminActor, { id: "00000000-0000-4000-8000-000000000000" });
    expect(r4.ok === false && r4.error.message).toBe("That user no longer exists.");
    const r5 = await deleteUser(adminActor, { id: "<script>" });
    expect(r5.ok === false && r5.error.message).toBe("Unknown user");
    expect((await listUsers()).some((u) => u.id === me.id)).toBe(true);
  });

  it("adds a single sign-on only user without a password (nobody can sign in to it with one)", async () => {
    const r = await createUser(adminActor, { email: "sso-only@example.com", name: "", password: "", role: "viewer" });
    expect(r.ok).toBe(true);
    const db = await getDb();
    const [row] = await db.select().from(users).where(eq(users.email, "sso-only@example.com"));
    expect(row.passwordHash).toBeNull();
  });
});
