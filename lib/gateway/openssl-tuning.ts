/**
 * OpenSSL settings for the gateway's worker processes that Node has no TLS option for, given to each worker as an
 * OpenSSL configuration file (OPENSSL_CONF, read once at the worker's start; Node applies its `nodejs_conf` section).
 *
 * NumTickets 1: OpenSSL sends two TLS 1.3 session tickets after every full handshake by default. Each ticket holds the
 * whole session, client certificate chain included: OpenSSL copies and re-encodes the session and encrypts it, about
 * 12 µs of a worker's CPU per ticket with a three-certificate chain (measured with perf on the gateway bench). A client
 * resumes with one ticket and receives a new one with every resumed handshake, so one is enough (the nginx engine
 * sends one as well: ./nginx-engine/config).
 *
 * An operator's own OpenSSL configuration wins: with OPENSSL_CONF set, or --openssl-config / --openssl-shared-config
 * in the Node options, nothing is added (such a configuration can set NumTickets itself).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { replaceFile } from "./files";

export const WORKER_OPENSSL_CONF = `# Written by Portcullis for its gateway worker processes (lib/gateway/openssl-tuning.ts).
nodejs_conf = portcullis_init

[portcullis_init]
ssl_conf = portcullis_ssl

[portcullis_ssl]
system_default = portcullis_tls

[portcullis_tls]
NumTickets = 1
`;

/** Whether the operator chose an OpenSSL configuration for this process's children already. */
function operatorOpensslConfig(env: Readonly<Record<string, string | undefined>>, execArgv: readonly string[]): boolean {
  if (env.OPENSSL_CONF) return true;
  const flags = [...execArgv, ...(env.NODE_OPTIONS ?? "").split(/\s+/)];
  return flags.some((a) => a.startsWith("--openssl-config") || a === "--openssl-shared-config");
}

/**
 * The environment a worker gets for the tuning: `{ OPENSSL_CONF }` naming a file in the temporary directory (named by
 * its content's hash and written once, by rename, so concurrent gateways never read a half-written file), or nothing
 * when the operator configured OpenSSL or the file cannot be written (the workers then keep OpenSSL's defaults).
 */
export function workerOpensslEnv(env: Readonly<Record<string, string | undefined>> = process.env, execArgv: readonly string[] = process.execArgv, dir = os.tmpdir()): { OPENSSL_CONF?: string } {
  if (operatorOpensslConfig(env, execArgv)) return {};
  const file = path.join(dir, `portcullis-gateway-openssl-${createHash("sha256").update(WORKER_OPENSSL_CONF).digest("hex").slice(0, 16)}.cnf`);
  try {
    if (!existsSync(file)) replaceFile(file, WORKER_OPENSSL_CONF, 0o644);
    return { OPENSSL_CONF: file };
  } catch (e) {
    console.error(`[gateway] OpenSSL tuning not applied (${(e as Error).message}); workers keep OpenSSL's defaults`);
    return {};
  }
}
