/** Gateway start-up from the environment (GATEWAY_PORT, GATEWAY_HOST, GATEWAY_CERT/GATEWAY_KEY, GATEWAY_ISSUER, GATEWAY_WORKERS). */
import os from "node:os";
import { createGateway, type Gateway } from "./server";
import { loadServerCert } from "./server-cert";

export { createGateway, JWKS_PATH, COOKIE_NAME, type Gateway, type GatewayOptions } from "./server";
export { loadServerCert } from "./server-cert";

/** GATEWAY_WORKERS: processes serving the gateway port; default one per core (os.availableParallelism()), at most 16. */
export function workersFromEnv(): number {
  const raw = process.env.GATEWAY_WORKERS?.trim();
  if (!raw) return Math.min(16, os.availableParallelism());
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new Error(`GATEWAY_WORKERS must be a whole number from 1 to 256, got "${raw}"`);
  return n;
}

const g = globalThis as { __portcullisGateway?: Promise<Gateway> };

/** Start the gateway once per process when GATEWAY_PORT is set; resolves to null otherwise. */
export function startGatewayFromEnv(): Promise<Gateway | null> {
  const raw = process.env.GATEWAY_PORT;
  if (!raw) return Promise.resolve(null);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return Promise.reject(new Error(`GATEWAY_PORT must be a port number, got "${raw}"`));
  g.__portcullisGateway ??= (async () => {
    const identity = loadServerCert();
    let workers = workersFromEnv();
    const opts = { port, host: process.env.GATEWAY_HOST || "0.0.0.0", identity, issuer: process.env.GATEWAY_ISSUER || undefined };
    let gw: Gateway;
    try {
      gw = await createGateway({ ...opts, workers });
    } catch (e) {
      if (workers === 1 || /EADDRINUSE|EACCES/.test((e as Error).message)) throw e;
      // Worker processes could not start (e.g. no tsx loader next to this build): serve from this process.
      console.error(`[gateway] worker processes did not start (${(e as Error).message}); serving from this process`);
      workers = 1;
      gw = await createGateway({ ...opts, workers });
    }
    console.log(`[gateway] listening on https://${process.env.GATEWAY_HOST || "0.0.0.0"}:${gw.port} (${identity.source} server certificate, ${workers === 1 ? "in this process" : `${workers} worker processes`})`);
    return gw;
  })();
  g.__portcullisGateway.catch(() => {
    g.__portcullisGateway = undefined;
  });
  return g.__portcullisGateway;
}
