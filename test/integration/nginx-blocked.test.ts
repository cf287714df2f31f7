/**
 * Blocked certificates in the nginx export, through a real nginx: a certificate blocked in Portcullis is refused on
 * every location — a Common Name application and a Bypass one — by the exported configuration, as the gateway refuses
 * it; a block typed by hand (issuer as `openssl x509 -issuer` prints it, serial with colons) too; unblocked, it is let
 * in again by the next export; a block known only by its fingerprint is named in the file, not dropped silently.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { blockCertificate, unblockCertificate } from "@/lib/domain/blocked-certificates";
import { createPolicy } from "@/lib/domain/policies";
import { buildNginxExport } from "@/lib/export/nginx";
import { issuerCommonName } from "@/lib/export/nginx-blocked";
import { adminActor } from "../helpers/actors";
import { freePort } from "../helpers/server";
import { ossl } from "../pki/openssl";
import { configureSeedGateway, generateGatewayPki, startOrigin, tlsRequest, type ClientCert, type GatewayPki } from "./gateway-fixtures";
import { findNginx, runNginx, type RunningNginx } from "./nginx-fixtures";

const NGINX = findNginx();
if (!NGINX) console.warn("nginx blocked-certificates test skipped: nginx is not installed and could not be installed (needs root and apt-get).");

const HOST = "blocked-nginx.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let dir = "";
let nginx: RunningNginx | null = null;
let port = 0;
let config = "";
/** another "John Doe" certificate of the seed's intermediate CA, never blocked */
let sibling: ClientCert;

/** Exports the current configuration and (re)starts nginx with it. */
async function exportAndRun(): Promise<void> {
  await nginx?.stop();
  port = await freePort();
  const run = mkdtempSync(path.join(dir, "run-"));
  const out = await buildNginxExport({ filesDir: run, listen: `127.0.0.1:${port}`, serverCertificate: path.join(pki.dir, "server.pem"), serverCertificateKey: path.join(pki.dir, "server.key") });
  config = out.config;
  nginx = await runNginx(NGINX!, run, port, out.config, out.files);
}

const get = (p: string, cert: ClientCert) => tlsRequest({ port, sni: HOST, host: HOST, path: p, cert });

describe.skipIf(!NGINX)("nginx export: blocked certificates", () => {
  beforeAll(async () => {
    pki = generateGatewayPki();
    dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-blocked-"));
    ossl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.pem", "-days", "2", "-subj", `/CN=${HOST}`], pki.dir);
    ossl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "sibling.key", "-out", "sibling.csr", "-subj", "/CN=John Doe"], pki.dir);
    ossl(["x509", "-req", "-in", "sibling.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-CAcreateserial", "-out", "sibling.pem", "-days", "30", "-sha256"], pki.dir);
    sibling = { cert: path.join(pki.dir, "sibling.pem"), key: path.join(pki.dir, "sibling.key") };
    origin = await startOrigin();
    await configureSeedGateway(pki, HOST, origin.url);
    const bypass = await createPolicy(adminActor, { name: "Blocked test public", decision: "bypass", include: [{ everyone: {} }] });
    if (!bypass.ok) throw new Error(JSON.stringify(bypass));
    const open = await createApplication(adminActor, { name: "Blocked test open", domain: `${HOST}/open`, policies: [bypass.value.id], origin_url: origin.url });
    if (!open.ok) throw new Error(JSON.stringify(open));
  });

  afterAll(async () => {
    await nginx?.stop();
    await origin?.close();
  });

  it("lets the seed client in before any block (the control)", async () => {
    await exportAndRun();
    expect((await get("/", pki.client)).status).toBe(200);
    expect((await get("/open/x", pki.janeRoe)).status).toBe(200);
    expect(config).not.toContain("$pc_blocked");
  });

  it("refuses blocked certificates on every location, Bypass included, and lets them in again once unblocked", async () => {
    const byCert = await blockCertificate(adminActor, { certificate: readFileSync(pki.client.cert, "utf8"), reason: "laptop stolen" });
    if (!byCert.ok) throw new Error(JSON.stringify(byCert));
    // typed by hand, as openssl prints them: "O = ..., CN = ..." and a colon-separated serial
    const issuer = ossl(["x509", "-noout", "-issuer", "-in", pki.janeRoe.cert], pki.dir).trim().replace(/^issuer=\s*/, "");
    const serial = ossl(["x509", "-noout", "-serial", "-in", pki.janeRoe.cert], pki.dir).trim().replace(/^serial=/, "").replace(/(..)(?=.)/g, "$1:");
    const byHand = await blockCertificate(adminActor, { issuer, serial_number: serial, reason: "contractor left" });
    if (!byHand.ok) throw new Error(JSON.stringify(byHand));
    const fpOnly = await blockCertificate(adminActor, { sha256: "ab".repeat(32), reason: "from an incident report" });
    if (!fpOnly.ok) throw new Error(JSON.stringify(fpOnly));
    await exportAndRun();

    const root = await get("/", pki.client);
    expect(root.status).toBe(403);
    expect(root.body).toContain("This client certificate is blocked");
    expect((await get("/open/x", pki.client)).status).toBe(403);
    expect((await get("/open/x", pki.janeRoe)).status).toBe(403);
    // another John Doe certificate of the same CA, with another serial, is not caught by the issuer match
    expect((await get("/", sibling)).status).toBe(200);
    expect(config).toMatch(/NOT REFUSED HERE: 1 blocked certificate\(s\) known only by their SHA-256 fingerprint/);
    expect(config).toMatch(/2 blocked certificate\(s\) are refused with 403/);

    for (const b of [byCert, byHand, fpOnly]) expect((await unblockCertificate(adminActor, b.value.id)).ok).toBe(true);
    await exportAndRun();
    expect((await get("/", pki.client)).status).toBe(200);
    expect((await get("/open/x", pki.janeRoe)).status).toBe(200);
  });

  it("reads the issuer's Common Name from the forms admins type and Portcullis shows", () => {
    expect(issuerCommonName("CN=Gateway Test Intermediate CA,O=Access Testing")).toBe("Gateway Test Intermediate CA");
    expect(issuerCommonName("O = Access Testing, CN = Gateway Test Intermediate CA")).toBe("Gateway Test Intermediate CA");
    expect(issuerCommonName("CN=Acme\\, Inc. CA,O=Acme")).toBe("Acme, Inc. CA");
    expect(issuerCommonName("CN=Caf\\C3\\A9 CA")).toBe("Café CA");
    expect(issuerCommonName("O=No Common Name")).toBeNull();
  });
});
