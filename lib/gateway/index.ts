/**
 * Gateway start-up from the environment (GATEWAY_PORT, GATEWAY_HOST, GATEWAY_CERT/GATEWAY_KEY, GATEWAY_ISSUER, GATEWAY_WORKERS,
 * GATEWAY_ENGINE (node, or nginx: lib/gateway/nginx-engine) with GATEWAY_NGINX_BIN,
 * and the connection limits GATEWAY_HANDSHAKE_TIMEOUT_MS, GATEWAY_HEADERS_TIMEOUT_MS, GATEWAY_REQUEST_TIMEOUT_MS,
 * GATEWAY_ORIGIN_TIMEOUT_MS, GATEWAY_MAX_CONNECTIONS_PER_IP: lib/gateway/limits.ts).
 */
import os from "node:os";
import { env, type Env } from "../env.mjs";
import { createGateway, type Gateway } from "./server";
import { loadServerCert } from "./server-cert";

export { createGateway, JWKS_PATH, COOKIE_NAME, type Gateway, type GatewayOptions } from "./server";
export { loadServerCert } from "./server-cert";
export { DEFAULT_LIMITS, limitsFromEnv, type GatewayLimits } from "./limits";

/** GATEWAY_WORKERS: processes serving the gateway port; default one per core (os.availableParallelism()), at most 16. */
export function workersFromEnv(): number {
  return env().GATEWAY_WORKERS ?? Math.min(16, os.availableParallelism());
}

const g = globalThis as { __portcullisGateway?: Promise<Gateway> };

/** Start the gateway once per process when GATEWAY_PORT is set; resolves to null otherwise. */
export function startGatewayFromEnv(): Promise<Gateway | null> {
  let config: Env;
  try {
    config = env();
  } catch (e) {
    return Promise.reject(e);
  }
  const port = config.GATEWAY_PORT;
  if (port === undefined) return Promise.resolve(null);
  const host = config.GATEWAY_HOST || "0.0.0.0";
  g.__portcullisGateway ??= (async () => {
    const identity = loadServerCert();
    let workers = workersFromEnv();
    const opts = { port, host, identity, issuer: config.GATEWAY_ISSUER };
    let gw: Gateway;
    try {
      gw = await createGateway({ ...opts, workers });
    } catch (e) {
      if (workers === 1 || /EADDRINUSE|EACCES|^GATEWAY_ENGINE=nginx/.test((e as Error).message)) throw e;
      // Worker processes could not start (e.g. no tsx loader next to this build): serve from this process.
      console.error(`[gateway] worker processes did not start (${(e as Error).message}); serving from this process`);
      workers = 1;
      gw = await createGateway({ ...opts, workers });
    }
    const engine = config.GATEWAY_ENGINE === "nginx" ? `nginx engine: nginx in front of ${workers === 1 ? "this process" : `${workers} worker processes`}` : workers === 1 ? "in this process" : `${workers} worker processes`;
    console.log(`[gateway] listening on https://${host}:${gw.port} (${identity.source} server certificate, ${engine})`);
    return gw;
  })();
  g.__portcullisGateway.catch(() => {
    g.__portcullisGateway = undefined;
  });
  return g.__portcullisGateway;
}

/**
 * Close the gateway this process started from the environment, if it did: its workers' last access-log batches are
 * stored first (lib/gateway/server, ./cluster). The server's graceful stop (lib/server/startup) calls it.
 */
export async function stopGatewayFromEnv(): Promise<void> {
  const started = g.__portcullisGateway;
  g.__portcullisGateway = undefined;
  const gw = await started?.catch(() => null);
  await gw?.close();
}
