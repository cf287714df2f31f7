/**
 * Child process of bench/many-hostnames.ts: on a fresh PGlite data dir (PORTCULLIS_DATA_DIR), configures HOSTS
 * hostnames (1 or 1,000) and as many applications, the hostnames spread over 50 CAs (the seed's chain plus 49 more
 * roots, 20 hostnames each), and starts the node-engine gateway (GATEWAY_WORKERS processes). The measured hostname,
 * h0.bench.test, is the seed chain's (Service Auth policy: Common Name "John Doe"). Every hostname is then visited
 * once per worker (a TLS handshake with that SNI name) so each worker holds every hostname's compiled context, as
 * after a day in production. Prints one JSON line; then, on "change" from stdin, changes the measured policy (the
 * Common Name becomes "Nobody": the seed client is refused) and prints {"changedAt": ms since epoch}.
 * CRL_ENTRIES (default 0): the seed intermediate's CRL revokes that many more (synthetic) serials besides its own.
 * ENGINE: node (default) or nginx (GATEWAY_ENGINE=nginx, with GATEWAY_NGINX_BIN).
 */
import tls from "node:tls";
import os from "node:os";
import path from "node:path";
import { mkdtempSync } from "node:fs";
import { createInterface } from "node:readline";
import { closeDb, getDb } from "../lib/db/client";
import type { Actor } from "../lib/domain/core/actor";
import { createApplication } from "../lib/domain/applications";
import { createCertificate } from "../lib/domain/certificates";
import { createPolicy, updatePolicy } from "../lib/domain/policies";
import { createGateway, loadServerCert, workersFromEnv } from "../lib/gateway";
import { generateGatewayPki } from "../test/integration/gateway-fixtures";
import { Pki } from "../test/pki/openssl";
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { generateLargeCrl } from "../test/pki/large-crl";

const HOSTS = Number(process.env.HOSTS ?? 1);
const CRL_ENTRIES = Number(process.env.CRL_ENTRIES ?? 0);
const CAS = Math.min(50, HOSTS);
const actor: Actor = { type: "system", id: null, label: "bench", role: "admin", permission: "edit" };
const host = (i: number) => `h${i}.bench.test`;

function must<T>(r: { ok: true; value: T } | { ok: false }): T {
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value;
}

/** One TLS handshake with SNI `name` (no client certificate): makes the worker that takes it compile the hostname. */
function touch(port: number, name: string): Promise<void> {
  return new Promise((resolve) => {
    const s = tls.connect({ host: "127.0.0.1", port, servername: name, rejectUnauthorized: false }, () => s.end());
    s.on("close", () => resolve());
    s.on("error", () => resolve());
  });
}

async function main() {
  await getDb();
  const pki = generateGatewayPki();
  const others = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-many-")));
  const caPems = [pki.chainPem];
  for (let c = 1; c < CAS; c++) caPems.push(readFileSync(others.root(`ca${c}`, { subj: `/O=Bench/CN=Bench CA ${c}` }).cert, "utf8"));
  // The large CRL still revokes the seed's revoked client (its serial added to the synthetic ones).
  const revokedSerial = () => execFileSync("openssl", ["x509", "-noout", "-serial", "-in", pki.revoked.cert], { encoding: "utf8" }).trim().replace(/^serial=/, "");
  const seedCrl = CRL_ENTRIES > 0
    ? generateLargeCrl({ caCert: path.join(pki.dir, "intermediate.pem"), caKey: path.join(pki.dir, "intermediate.key"), count: CRL_ENTRIES, revoke: [revokedSerial()] })
    : pki.crlPem;
  const perCa = Math.ceil(HOSTS / CAS);
  for (let c = 0; c < CAS; c++) {
    const names = Array.from({ length: perCa }, (_, k) => c * perCa + k).filter((i) => i < HOSTS).map(host);
    must(await createCertificate(actor, { name: `CA ${c}`, certificate: caPems[c], associated_hostnames: names, ...(c === 0 ? { crl: seedCrl } : {}) }));
  }
  const svcInput = (cn: string) => ({ name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: cn } }] });
  const svc = must(await createPolicy(actor, svcInput("John Doe")));
  for (let i = 0; i < HOSTS; i++) must(await createApplication(actor, { name: `App ${i}`, domain: host(i), policies: [svc.id], origin_url: process.env.ORIGIN_URL! }));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-many-gw-"));
  const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames: ["*.bench.test"] });
  const workers = workersFromEnv();
  const gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers, engine: process.env.ENGINE === "nginx" ? "nginx" : "node" });
  const t0 = Date.now();
  // Connections are spread over the workers by the kernel/cluster: several rounds make every worker see every name.
  for (let round = 0; round < workers * 2; round++) {
    for (let i = 0; i < HOSTS; i += 16) await Promise.all(Array.from({ length: Math.min(16, HOSTS - i) }, (_, k) => touch(gw.port, host(i + k))));
  }
  console.log(JSON.stringify({ host: host(0), port: gw.port, workers, hosts: HOSTS, cas: CAS, crlBytes: seedCrl.length, cacert: identity.certPath, client: pki.client, warmMs: Date.now() - t0 }));
  createInterface({ input: process.stdin }).on("line", (line) => {
    if (line.trim() !== "change") return;
    void updatePolicy(actor, svc.id, svcInput("Nobody")).then((r) => {
      must(r);
      console.log(JSON.stringify({ changedAt: Date.now() }));
    });
  });
  process.once("SIGTERM", () => {
    void gw.close().finally(() => closeDb().finally(() => process.exit(0)));
  });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
