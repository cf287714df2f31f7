import { eq } from "drizzle-orm";
import { hashPassword } from "../../auth/password";
import { getDb } from "../../db/client";
import { users } from "../../db/schema";
import { writeAudit } from "../audit/record";
import { SYSTEM_ACTOR } from "../core/actor";

/**
 * Start-up: the admin named by PORTCULLIS_ADMIN_EMAIL / PORTCULLIS_ADMIN_PASSWORD, created once (audited as
 * `user.seed` by the system actor). Idempotent; an existing account of that email is left untouched.
 */
export async function seedAdminFromEnv(env: Record<string, string | undefined> = process.env): Promise<"created" | "exists" | "not configured"> {
  const email = env.PORTCULLIS_ADMIN_EMAIL?.trim().toLowerCase();
  const password = env.PORTCULLIS_ADMIN_PASSWORD;
  if (!email || !password) return "not configured";
  const db = await getDb();
  const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
  if (existing.length) return "exists";
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ email, name: "Administrator", role: "admin", passwordHash })
      .onConflictDoNothing()
      .returning({ id: users.id, email: users.email, role: users.role });
    if (!row) return "exists";
    await writeAudit(tx, SYSTEM_ACTOR, { action: "user.seed", resourceType: "user", resourceId: row.id, after: row });
    return "created";
  });
}
