import { closeDb, getDbHandle } from "../db/client";
import { env, EnvError, requireSecretKeyWithPostgres } from "../env.mjs";

const g = globalThis as { __portcullisStarted?: Promise<void>; __portcullisStop?: () => Promise<void> };

/**
 * Server-process start-up: open and migrate the database, seed the admin from the environment before the first request,
 * then start background services. Idempotent across hot reloads.
 */
export function startServerServices(): Promise<void> {
  return (g.__portcullisStarted ??= (async () => {
    // A bad value stops here, before the database is opened (npm start has checked already; `next dev` has not).
    // PostgreSQL without PORTCULLIS_SECRET_KEY is one of them: the managed CA's key could not be sealed.
    requireSecretKeyWithPostgres(env());
    const handle = await getDbHandle();
    console.log(`[portcullis] database ready (${handle.engine})`);
    // The embedded database's secret key (lib/server/secret-box) is made on the first start, not on the first save.
    if (handle.engine === "pglite" && !env().PORTCULLIS_SECRET_KEY) (await import("./secret-box")).secretKey();
    if ((await (await import("../domain/users/seed")).seedAdminFromEnv()) === "created") {
      console.log("[portcullis] admin account created from PORTCULLIS_ADMIN_EMAIL");
    }
    (await import("./scheduler")).startAlertScheduler();
    (await import("./managed-ca-jobs")).startManagedCaJobs();
    void import("../gateway").then((m) => m.startGatewayFromEnv()).catch((e) => console.error("[gateway] not started:", (e as Error).message));
    // For scripts/serve.mjs, which runs outside the app's bundle: what to do on SIGTERM or SIGINT before exiting.
    g.__portcullisStop = stopServerServices;
  })().catch((err) => {
    g.__portcullisStarted = undefined;
    console.error("[portcullis] start-up failed:", err instanceof EnvError ? err.message : err);
    throw err;
  }));
}

/**
 * The server's graceful stop (scripts/serve.mjs on SIGTERM or SIGINT, after it stops taking connections): the gateway
 * closes, storing its workers' last access-log batches; the rows still queued in this process are written (they wait
 * up to a second for the next insert, lib/domain/access-log/write); then the database is closed.
 */
export async function stopServerServices(): Promise<void> {
  const step = (what: string) => (e: unknown) => console.error(`[portcullis] stopping: ${what} failed:`, (e as Error).message);
  await (await import("../gateway")).stopGatewayFromEnv().catch(step("closing the gateway"));
  await (await import("../domain/access-log")).flushAccessLog().catch(step("writing the access log"));
  await closeDb().catch(step("closing the database"));
}
