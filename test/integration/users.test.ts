import { describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { getDb } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";
import { changeRole, createFirstAdmin, createUser, listUsers, resetPassword } from "@/lib/domain/users";
import { READ_ONLY_MESSAGE } from "@/lib/domain/result";
import { verifyPassword } from "@/lib/auth/password";
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
