/**
 * Child process of bench/gateway-identity.ts: on a fresh PGlite data dir (PORTCULLIS_DATA_DIR), the seed's chain as
 * an mTLS certificate for two hostnames, each with one application proxying to ORIGIN_URL:
 * - cert.example.com: Service Auth, Common Name "John Doe" (the certificate-only path);
 * - staff.example.com: Allow, Include Emails ending in example.com, Require Valid Certificate (mTLS as a second
 *   factor: a signed-in person whose device presented a valid certificate).
 * Starts the gateway (GATEWAY_WORKERS processes, default one per core) and signs a sign-in session for
 * staff.example.com with the gateway's own key, as its callback does (lib/gateway/identity). Prints one JSON line with
 * the port, the CA file, the client certificate and the CF_Authorization cookie; serves until SIGTERM.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeDb, getDb } from "../lib/db/client";
import type { Actor } from "../lib/domain/core/actor";
import { createApplication } from "../lib/domain/applications";
import { createCertificate } from "../lib/domain/certificates";
import { createPolicy } from "../lib/domain/policies";
import { createGateway, loadServerCert, workersFromEnv } from "../lib/gateway";
import { loadSigner } from "../lib/gateway/jwt";
import { generateGatewayPki } from "../test/integration/gateway-fixtures";

const CERT_HOST = "cert.example.com";
const STAFF_HOST = "staff.example.com";
const actor: Actor = { type: "system", id: null, label: "bench", role: "admin", permission: "edit" };

async function main() {
  const originUrl = process.env.ORIGIN_URL!;
  await getDb();
  const pki = generateGatewayPki();
  const must = <T>(r: { ok: true; value: T } | { ok: false }): T => {
    if (!r.ok) throw new Error(JSON.stringify(r));
    return r.value;
  };
  must(await createCertificate(actor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [CERT_HOST, STAFF_HOST], crl: pki.crlPem }));
  const svc = must(await createPolicy(actor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }));
  const staff = must(await createPolicy(actor, { name: "Staff with a device", decision: "allow", include: [{ email_domain: { domain: "example.com" } }], require: [{ certificate: {} }] }));
  must(await createApplication(actor, { name: "Devices", domain: CERT_HOST, policies: [svc.id], origin_url: originUrl }));
  const app = must(await createApplication(actor, { name: "Staff portal", domain: STAFF_HOST, session_duration: "24h", policies: [staff.id], origin_url: originUrl }));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-id-"));
  const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames: [CERT_HOST, STAFF_HOST] });
  const workers = workersFromEnv();
  const gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers });
  // The session the gateway's callback would set after a sign-in (same key, issuer, audience and claims).
  const signer = await loadSigner();
  const token = await signer.sign({ aud: app.aud, iss: `https://${STAFF_HOST}:${gw.port}`, sub: "bench-subject", email: "bench@example.com", idp: { id: "bench", type: "oidc" } }, 86_400);
  console.log(JSON.stringify({ certHost: CERT_HOST, staffHost: STAFF_HOST, port: gw.port, workers, cacert: identity.certPath, client: pki.client, cookie: `CF_Authorization=${token}` }));
  process.once("SIGTERM", () => {
    void gw.close().finally(() => closeDb().finally(() => process.exit(0)));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
