import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "./client";
import { users } from "./schema";
import { ensureSetting } from "./settings";
import { writeAudit } from "../audit";
import { SYSTEM_ACTOR } from "../domain/actor";
import { hashPassword } from "../auth/password";

/**
 * First-start work, idempotent: the instance's account id, a generated auth secret (unless AUTH_SECRET is
 * given) and the admin seeded from PORTCULLIS_ADMIN_EMAIL / PORTCULLIS_ADMIN_PASSWORD.
 */
export async function bootstrap(db: Db): Promise<void> {
  await ensureSetting(db, "account_id", () => randomBytes(16).toString("hex"));
  await ensureSetting(db, "auth_secret", () => randomBytes(32).toString("base64url"));
  const email = process.env.PORTCULLIS_ADMIN_EMAIL?.trim().toLowerCase();
  const password = process.env.PORTCULLIS_ADMIN_PASSWORD;
  if (email && password) {
    const existing = await db.select({ id: users.id }).from(users).where(eq(users.email, email)).limit(1);
    if (!existing.length) {
      const passwordHash = await hashPassword(password);
      await db.transaction(async (tx) => {
        const [row] = await tx
          .insert(users)
          .values({ email, name: "Administrator", role: "admin", passwordHash })
          .onConflictDoNothing()
          .returning({ id: users.id, email: users.email, role: users.role });
        if (row) await writeAudit(tx, SYSTEM_ACTOR, { action: "user.seed", resourceType: "user", resourceId: row.id, after: row });
      });
    }
  }
}
