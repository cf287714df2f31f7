/**
 * `npm run gateway`: the enforcement gateway as its own process (PostgreSQL mode). With the embedded PGlite
 * database only one process may open the data directory, so there the gateway runs inside the web server:
 * set GATEWAY_PORT when starting Portcullis instead.
 */
import { closeDb, getDbHandle } from "../lib/db/client";
import { exitOnInvalidEnv } from "../lib/env.mjs";
import { startGatewayFromEnv } from "../lib/gateway";

async function main(): Promise<void> {
  // A bad value stops the start with one line (lib/env.mjs), before the database is opened.
  if (!exitOnInvalidEnv().DATABASE_URL) {
    console.error(
      "npm run gateway needs PostgreSQL (DATABASE_URL). With the embedded PGlite database the data directory can be opened by " +
        "one process only: start the web server with GATEWAY_PORT=8443 (for example) and it runs the gateway in-process.",
    );
    process.exit(1);
  }
  process.env.GATEWAY_PORT ||= "8443";
  await getDbHandle();
  const gw = await startGatewayFromEnv();
  if (!gw) throw new Error("GATEWAY_PORT is not set");
  const stop = async (signal: string) => {
    console.log(`[gateway] ${signal}: closing`);
    await gw.close().catch(() => undefined);
    await closeDb().catch(() => undefined);
    process.exit(0);
  };
  process.once("SIGINT", () => void stop("SIGINT"));
  process.once("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((e) => {
  console.error(`[gateway] failed to start: ${(e as Error).message}`);
  process.exit(1);
});
