/** `npm run db:migrate`: apply migrations (and first-start bootstrap) to the configured database, then exit. */
import { closeDb, getDbHandle } from "../lib/db/client";

const handle = await getDbHandle();
console.log(`Migrations applied (${handle.engine}).`);
await closeDb();
