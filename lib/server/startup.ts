import { getDbHandle } from "../db/client";

const g = globalThis as { __portcullisStarted?: Promise<void> };

/**
 * Server-process start-up: open and migrate the database (and seed the admin) before the first request,
 * then start background services. Idempotent across hot reloads.
 */
export function startServerServices(): Promise<void> {
  return (g.__portcullisStarted ??= (async () => {
    const handle = await getDbHandle();
    console.log(`[portcullis] database ready (${handle.engine})`);
    (await import("./scheduler")).startAlertScheduler();
    void import("../gateway").then((m) => m.startGatewayFromEnv()).catch((e) => console.error("[gateway] not started:", (e as Error).message));
  })().catch((err) => {
    g.__portcullisStarted = undefined;
    console.error("[portcullis] start-up failed:", err);
    throw err;
  }));
}
