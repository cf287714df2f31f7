/** The admin from the environment is start-up work: opening the database seeds and audits nothing. */
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { auditEvents, users } from "@/lib/db/schema";
import { seedAdminFromEnv } from "@/lib/domain/users/seed";

describe("admin seed from the environment", () => {
  it("opening the database creates no user and writes no audit event, even with the variables set", async () => {
    process.env.PORTCULLIS_ADMIN_EMAIL = "Seed@Example.test";
    process.env.PORTCULLIS_ADMIN_PASSWORD = "seed-password-123";
    const db = await getDb();
    expect(await db.select().from(users)).toEqual([]);
    expect(await db.select().from(auditEvents)).toEqual([]);
  });

  it("seedAdminFromEnv creates the admin once, audited as user.seed by the system", async () => {
    expect(await seedAdminFromEnv()).toBe("created");
    expect(await seedAdminFromEnv()).toBe("exists");
    const db = await getDb();
    const rows = await db.select({ email: users.email, role: users.role }).from(users);
    expect(rows).toEqual([{ email: "seed@example.test", role: "admin" }]);
    const events = await db.select({ action: auditEvents.action }).from(auditEvents).where(eq(auditEvents.action, "user.seed"));
    expect(events).toHaveLength(1);
  });

  it("does nothing without both variables", async () => {
    expect(await seedAdminFromEnv({ PORTCULLIS_ADMIN_EMAIL: "x@example.test" })).toBe("not configured");
  });
});
