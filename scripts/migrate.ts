/** `npm run db:migrate`: apply migrations (and first-start bootstrap) to the configured database, then exit. */
import { closeDb, getDbHandle } from "../lib/db/client";

async function main() {
  const handle = await getDbHandle();
  console.log(`Migrations applied (${handle.engine}).`);
  await closeDb();
}

main().catch((err) => {
  console.error(`Migration failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
