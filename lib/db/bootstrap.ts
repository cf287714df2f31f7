import { randomBytes } from "node:crypto";
import type { Db } from "./client";
import { ensureSetting } from "./settings";

/**
 * First-open work the database itself needs, idempotent: the instance's account id, its one zone's id (the
 * `zone_id` of zone-scoped API paths; added on the next open to installations made before it) and a generated auth
 * secret (unless AUTH_SECRET is given). Nothing here writes users or audit events: seeding the first admin
 * from the environment is start-up work (lib/domain/users/seed.ts), so opening the database never audits.
 */
export async function bootstrap(db: Db): Promise<void> {
  await ensureSetting(db, "account_id", () => randomBytes(16).toString("hex"));
  await ensureSetting(db, "zone_id", () => randomBytes(16).toString("hex"));
  await ensureSetting(db, "auth_secret", () => randomBytes(32).toString("base64url"));
}
