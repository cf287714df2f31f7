/**
 * The nginx export's TLS versions, through a real nginx. nginx settles the protocol version and cipher list with the
 * settings of the listening address's default server, before the server name picks a server block, so the hostname
 * blocks' `ssl_protocols TLSv1.2 TLSv1.3` only hold if the catch-all default server says the same. nginx 1.22's own
 * default list (TLSv1 to TLSv1.2) would otherwise keep every client on TLS 1.2, its certificate sent in clear.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildNginxExport } from "@/lib/export/nginx";
import { freePort } from "../helpers/server";
import { ossl } from "../pki/openssl";
import { configureSeedGateway, generateGatewayPki, startOrigin, type GatewayPki } from "./gateway-fixtures";
import { findNginx, runNginx, type RunningNginx } from "./nginx-fixtures";

const NGINX = findNginx();
if (!NGINX) console.warn("nginx export TLS test skipped: nginx is not installed and could not be installed (needs root and apt-get).");

const HOST = "tls-versions.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let nginx: RunningNginx | null = null;
let port = 0;

/** The protocol a handshake with `servername` settles on within [min, max], or the handshake's error code. */
function handshake(servername: string, minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion): Promise<string> {
  return new Promise((resolve) => {
    const s = tls.connect({
      host: "127.0.0.1", port, servername, minVersion, maxVersion, rejectUnauthorized: false,
      cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key), ciphers: "DEFAULT:@SECLEVEL=0",
    });
    s.once("secureConnect", () => {
      resolve(s.getProtocol() ?? "none");
      s.destroy();
    });
    s.once("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
  });
}

describe.skipIf(!NGINX)("nginx export: TLS versions", () => {
  beforeAll(async () => {
    pki = generateGatewayPki();
    ossl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.pem", "-days", "2", "-subj", `/CN=${HOST}`], pki.dir);
    origin = await startOrigin();
    await configureSeedGateway(pki, HOST, origin.url);
    port = await freePort();
    const run = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-tls-"));
    const out = await buildNginxExport({ filesDir: run, listen: `127.0.0.1:${port}`, serverCertificate: path.join(pki.dir, "server.pem"), serverCertificateKey: path.join(pki.dir, "server.key") });
    expect(out.hostnames).toContain(HOST);
    nginx = await runNginx(NGINX!, run, port, out.config, out.files);
  });

  afterAll(async () => {
    await nginx?.stop();
    await origin?.close();
  });

  it("settles on TLS 1.3 for an exported hostname, and on TLS 1.2 when the client offers no more", async () => {
    expect(await handshake(HOST, "TLSv1.2", "TLSv1.3")).toBe("TLSv1.3");
    expect(await handshake(HOST, "TLSv1.2", "TLSv1.2")).toBe("TLSv1.2");
  });

  it("refuses TLS 1.1 and 1.0, for an exported hostname and any other name", async () => {
    for (const name of [HOST, "unknown.example.com"]) {
      expect(await handshake(name, "TLSv1", "TLSv1.1")).not.toMatch(/^TLSv1(\.1)?$/);
    }
  });
});
