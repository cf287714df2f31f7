/**
 * The gateway's own TLS server certificate: GATEWAY_CERT / GATEWAY_KEY files when set, otherwise a self-signed
 * certificate generated with the openssl CLI on first start and kept under the data dir (key file mode 0600).
 */
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { dataDir } from "../db/client";
import { env } from "../env.mjs";

export interface ServerCert {
  cert: string;
  key: string;
  source: "files" | "generated";
  certPath: string;
}

export function loadServerCert(opts: { dir?: string; hostnames?: string[] } = {}): ServerCert {
  const { GATEWAY_CERT: certFile, GATEWAY_KEY: keyFile, OPENSSL } = env();
  if (certFile || keyFile) {
    if (!certFile || !keyFile) throw new Error("Set both GATEWAY_CERT and GATEWAY_KEY (PEM files), or neither to use a generated certificate.");
    return { cert: readFileSync(certFile, "utf8"), key: readFileSync(keyFile, "utf8"), source: "files", certPath: certFile };
  }
  const dir = opts.dir ?? path.join(dataDir(), "gateway");
  const certPath = path.join(dir, "server.crt");
  const keyPath = path.join(dir, "server.key");
  if (!existsSync(certPath) || !existsSync(keyPath)) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const sans = ["DNS:localhost", "IP:127.0.0.1", "IP:::1", ...(opts.hostnames ?? []).map((h) => `DNS:${h}`)];
    execFileSync(
      /*turbopackIgnore: true*/ OPENSSL ?? "openssl",
      [
        "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", keyPath, "-out", certPath, "-days", "825", "-sha256",
        "-subj", "/O=Portcullis/CN=Portcullis Gateway",
        "-addext", `subjectAltName=${sans.join(",")}`,
        "-addext", "extendedKeyUsage=serverAuth",
        "-addext", "basicConstraints=critical,CA:FALSE",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    chmodSync(keyPath, 0o600);
  }
  return { cert: readFileSync(certPath, "utf8"), key: readFileSync(keyPath, "utf8"), source: "generated", certPath };
}
