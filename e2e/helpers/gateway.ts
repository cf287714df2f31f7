/** The enforcement gateway of the e2e instance (scripts/e2e-server.mjs starts it on the console's port + 1000). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export const gatewayPort = Number(process.env.GATEWAY_PORT || Number(process.env.E2E_PORT || 3100) + 1000);

/**
 * One HTTPS request through the gateway for `host` (resolved to 127.0.0.1, server certificate not checked, the path
 * sent as written) with an optional client certificate; returns the HTTP status. `seclevel0`: curl's OpenSSL at
 * security level 0, which it needs to even load a SHA-1-signed client certificate.
 */
export function gatewayStatus(host: string, target: string, client?: { cert: string; key: string }, opts: { seclevel0?: boolean } = {}): number {
  const out = execFileSync(
    "curl",
    ["-s", "-k", "--path-as-is", "--max-time", "20", "--resolve", `${host}:${gatewayPort}:127.0.0.1`, "-o", "/dev/null", "-w", "%{http_code}",
      ...(client ? ["--cert", client.cert, "--key", client.key] : []), `https://${host}:${gatewayPort}${target}`],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: opts.seclevel0 ? { ...process.env, OPENSSL_CONF: seclevel0Conf() } : process.env },
  );
  return Number(out.trim());
}

let conf: string | null = null;
/** An OpenSSL configuration that lowers the default security level to 0 (written once per process). */
function seclevel0Conf(): string {
  if (!conf) {
    conf = path.join(mkdtempSync(path.join(os.tmpdir(), "portcullis-e2e-ssl-")), "openssl.cnf");
    writeFileSync(conf, "openssl_conf = c\n[c]\nssl_conf = s\n[s]\nsystem_default = d\n[d]\nCipherString = DEFAULT:@SECLEVEL=0\n");
  }
  return conf;
}
