/** `npm run db:migrate`: apply migrations (and first-start bootstrap, and the admin from the environment) to the configured database, then exit. */
import { closeDb, getDbHandle } from "../lib/db/client";
import { seedAdminFromEnv } from "../lib/domain/users/seed";

async function main() {
  const handle = await getDbHandle();
  console.log(`Migrations applied (${handle.engine}).`);
  if ((await seedAdminFromEnv()) === "created") console.log("Admin account created from PORTCULLIS_ADMIN_EMAIL.");
  await closeDb();
}

main().catch((err) => {
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
