/**
 * Child process of bench/gateway.ts: on a fresh PGlite data dir (PORTCULLIS_DATA_DIR), creates the seed's chain as
 * an mTLS certificate for the host, a Service Auth policy (Common Name "John Doe", exclude 192.0.2.0/24), an Allow
 * policy and an application proxying to ORIGIN_URL; starts the Portcullis gateway twice on the same database — the node engine (GATEWAY_WORKERS processes, default one
 * per core) and the nginx engine (GATEWAY_ENGINE=nginx: a supervised nginx with as many workers in front of as many
 * request-path processes) — and writes the nginx export for
 * the same configuration (and the client CA file and cipher list the floor server reuses). Prints one JSON line with the ports, the files and its pid (the engines' primary process), then serves until SIGTERM.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDb, getDb } from "../lib/db/client";
import type { Actor } from "../lib/domain/core/actor";
import { createApplication } from "../lib/domain/applications";
import { createCertificate } from "../lib/domain/certificates";
import { createPolicy } from "../lib/domain/policies";
import { buildNginxExport } from "../lib/export/nginx";
import { createGateway, loadServerCert, workersFromEnv } from "../lib/gateway";
import { GATEWAY_CIPHERS } from "../lib/gateway/context";
import { generateGatewayPki } from "../test/integration/gateway-fixtures";

const HOST = "auth.example.com";
const actor: Actor = { type: "system", id: null, label: "bench", role: "admin", permission: "edit" };

async function main() {
  const originUrl = process.env.ORIGIN_URL!;
  const nginxPort = Number(process.env.NGINX_PORT);
  await getDb();
  const pki = generateGatewayPki();
  const must = <T>(r: { ok: true; value: T } | { ok: false }): T => {
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.value;
  };
  must(await createCertificate(actor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [HOST], crl: pki.crlPem }));
  const svc = must(await createPolicy(actor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], exclude: [{ ip: { ip: "192.0.2.0/24" } }] }));
  const staff = must(await createPolicy(actor, { name: "Staff", decision: "allow", include: [{ email_domain: { domain: "example.com" } }] }));
  must(await createApplication(actor, { name: "Auth portal", domain: HOST, policies: [svc.id, staff.id], origin_url: originUrl }));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-gw-"));
  const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames: [HOST] });
  const workers = workersFromEnv();
  const gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers, engine: "node" });
  const ngw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers, engine: "nginx" });
  const out = await buildNginxExport({ filesDir: dir, listen: `127.0.0.1:${nginxPort}`, serverCertificate: identity.certPath, serverCertificateKey: path.join(dir, "tls", "server.key") });
  writeFileSync(path.join(dir, "nginx.conf"), out.config);
  for (const f of out.files) writeFileSync(path.join(dir, f.name), f.content);
  mkdirSync(path.join(dir, "logs"), { recursive: true });
  // For the floor server (bench/gateway-floor-server.ts): the CAs the gateway's TLS context asks for, and its ciphers.
  writeFileSync(path.join(dir, "client-ca.pem"), pki.chainPem);
  console.log(JSON.stringify({ host: HOST, gatewayPort: gw.port, nginxEnginePort: ngw.port, workers, dir, cacert: identity.certPath, ciphers: GATEWAY_CIPHERS, client: pki.client, pid: process.pid }));
  process.once("SIGTERM", () => {
    void Promise.all([gw.close(), ngw.close()]).finally(() => closeDb().finally(() => process.exit(0)));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
