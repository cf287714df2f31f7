/**
 * A certificate the managed CA issued, through the real gateway (two worker processes) with curl: allowed, refused
 * within a second of Revoke with no restart, allowed again after Reactivate. The CRL the gateway enforces is the one
 * published (no sign-in) on the web app's route and on the gateway's own port, and openssl agrees with it.
 */
import { execFileSync, spawnSync } from "node:child_process";
import net from "node:net";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { createApplication } from "@/lib/domain/applications";
import { updateCertificate } from "@/lib/domain/certificates";
import { issueClientCertificate, reactivateClientCertificate, revokeClientCertificate } from "@/lib/domain/client-certificates";
import { ensureManagedCa } from "@/lib/domain/managed-ca";
import { createPolicy } from "@/lib/domain/policies";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { GET as crlRoute } from "@/app/cdn-cgi/pki/crl/[file]/route";
import { adminActor } from "../helpers/actors";
import { buildNginxExport } from "@/lib/export/nginx";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { curl, startOrigin, tlsRequest, type ClientCert } from "./gateway-fixtures";
import { findNginx, runNginx } from "./nginx-fixtures";
import { cliAccessDecision, startTestMtlsApi } from "./doors-fixtures";

const HOST = "devices.example.com";
// PostgreSQL seals secrets with the key from the environment only (PGlite makes its own in the data directory).
if (process.env.DATABASE_URL) process.env.PORTCULLIS_SECRET_KEY ??= randomBytes(32).toString("base64");
const dir = mkdtempSync(path.join(os.tmpdir(), "managed-ca-gw-"));
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert = "";
let caId = "";
let certId = "";
let device: ClientCert;

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });

beforeAll(async () => {
  const db = await getDb();
  const ca = await ensureManagedCa(db);
  caId = ca.id;
  const assoc = await updateCertificate(adminActor, caId, { associated_hostnames: [HOST] });
  if (!assoc.ok) throw new Error(assoc.error.message);
  const pol = await createPolicy(adminActor, { name: "Devices", decision: "non_identity", include: [{ common_name: { common_name: "device-gw" } }] });
  if (!pol.ok) throw new Error(pol.error.message);
  origin = await startOrigin();
  const app = await createApplication(adminActor, { name: "Device API", domain: HOST, session_duration: "1h", policies: [pol.value.id], origin_url: origin.url });
  if (!app.ok) throw new Error(app.error.message);
  execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "device.key", "-out", "device.csr", "-subj", "/CN=device-gw"], { cwd: dir, stdio: "ignore" });
  const issued = await issueClientCertificate(db, adminActor, { csrPem: execFileSync("cat", ["device.csr"], { cwd: dir, encoding: "utf8" }), validityDays: 30, label: "gateway test" });
  if (!issued.ok) throw new Error(issued.error.message);
  certId = issued.value.id;
  writeFileSync(path.join(dir, "device.pem"), issued.value.certificatePem);
  writeFileSync(path.join(dir, "ca.pem"), ca.certificatePem);
  device = { cert: path.join(dir, "device.pem"), key: path.join(dir, "device.key") };
  const identity = loadServerCert({ dir, hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

/** The CRL as published on the web app (DER) and on the gateway's port (PEM), checked by openssl verify. */
async function opensslVerdict(): Promise<string> {
  const res = await crlRoute(new Request(`http://console/cdn-cgi/pki/crl/${caId}.crl`), { params: Promise.resolve({ file: `${caId}.crl` }) });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("application/pkix-crl");
  writeFileSync(path.join(dir, "web.crl"), Buffer.from(await res.arrayBuffer()));
  const fromGateway = await curl({ host: HOST, port: gw.port, cacert, paths: [`/cdn-cgi/pki/crl/${caId}.pem`] });
  expect(fromGateway.status).toBe(200);
  expect(fromGateway.body).toMatch(/^-----BEGIN X509 CRL-----/);
  // Both doors serve the same CRL.
  const der = execFileSync("openssl", ["crl", "-inform", "DER", "-in", "web.crl", "-outform", "PEM"], { cwd: dir, encoding: "utf8" });
  expect(der.trim()).toBe(fromGateway.body.trim());
  writeFileSync(path.join(dir, "gw.crl.pem"), fromGateway.body);
  const r = spawnSync("openssl", ["verify", "-crl_check", "-CAfile", "ca.pem", "-CRLfile", "gw.crl.pem", "device.pem"], { cwd: dir, encoding: "utf8" });
  return `${r.stdout}${r.stderr}`;
}

/**
 * Milliseconds from now (the change saved) to the start of the first request answered `status`: requests go out
 * back to back over Node TLS (a curl process per poll would add its own start-up to the measure).
 */
async function firstRequestWith(status: number): Promise<number> {
  const t0 = Date.now();
  for (;;) {
    const startedAt = Date.now() - t0;
    if ((await tlsRequest({ port: gw.port, sni: HOST, host: HOST, cert: device })).status === status) return startedAt;
    if (startedAt > 5000) throw new Error(`no ${status} within 5 s`);
  }
}

describe("managed CA through the gateway", () => {
  it("allows the issued certificate; the CA's CRL is published on both doors and openssl agrees", async () => {
    const r = await get({ cert: device });
    expect(r.status).toBe(200);
    expect(r.body).toBe("origin ok");
    expect(await opensslVerdict()).toContain("device.pem: OK");
    const missing = await curl({ host: HOST, port: gw.port, cacert, paths: ["/cdn-cgi/pki/crl/00000000-0000-4000-8000-000000000000.crl"] });
    expect(missing.status).toBe(404);
    // Any hostname, known or not, and no client certificate: the CRL is public on the gateway's port.
    const anyHost = await tlsRequest({ port: gw.port, sni: "unknown.example.net", host: "unknown.example.net", path: `/cdn-cgi/pki/crl/${caId}.crl` });
    expect(anyHost.status).toBe(200);
  });

  it("refuses it within a second of Revoke, without a restart; allows it again after Reactivate", async () => {
    const db = await getDb();
    const revoked = await revokeClientCertificate(db, adminActor, certId, "stolen");
    expect(revoked.ok).toBe(true);
    expect(await firstRequestWith(403)).toBeLessThan(1000);
    const refused = await get({ cert: device });
    expect(refused.body).toMatch(/certificate revoked/);
    expect(await opensslVerdict()).toMatch(/certificate revoked/);

    expect((await reactivateClientCertificate(db, adminActor, certId)).ok).toBe(true);
    expect(await firstRequestWith(200)).toBeLessThan(1000);
    expect((await get({ cert: device })).status).toBe(200);
    expect(await opensslVerdict()).toContain("device.pem: OK");
  });
});

const NGINX = findNginx();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

describe("issued certificates at every door", () => {
  it.runIf(!!NGINX)("the gateway, Test mTLS, portcullis test and nginx running the export (the managed CA and its CRL) agree: active, revoked, reactivated, another Common Name", async () => {
    const db = await getDb();
    execFileSync("openssl", ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "other.key", "-out", "other.csr", "-subj", "/CN=someone-else"], { cwd: dir, stdio: "ignore" });
    const other = await issueClientCertificate(db, adminActor, { csrPem: readFileSync(path.join(dir, "other.csr"), "utf8"), validityDays: 30 });
    if (!other.ok) throw new Error(other.error.message);
    writeFileSync(path.join(dir, "other.pem"), other.value.certificatePem);
    const otherCert = { cert: path.join(dir, "other.pem"), key: path.join(dir, "other.key") };
    // POST /api/v1/test-mtls over HTTP and `portcullis test` against it: the tester's other two doors.
    const api = await startTestMtlsApi("doors@managed-ca.example");
    const ngxDir = mkdtempSync(path.join(os.tmpdir(), "managed-ca-nginx-"));
    const port = await freePort();
    const answers = async (label: string, cert: ClientCert, pem: string) => {
      const exp = await buildNginxExport({ filesDir: ngxDir, listen: `127.0.0.1:${port}`, serverCertificate: cacert, serverCertificateKey: path.join(dir, "server.key") });
      const nginx = await runNginx(NGINX!, ngxDir, port, exp.config, exp.files);
      try {
        const viaNginx = (await curl({ host: HOST, port, cacert, cert })).status;
        const viaGateway = (await get({ cert })).status;
        const tested = await testClientCertificate({ hostname: HOST, certificate: pem });
        if (!tested.ok) throw new Error(tested.error.message);
        const viaCli = await cliAccessDecision(api, ["--target-url", `https://${HOST}/`], cert.cert);
        return {
          label,
          gateway: viaGateway === 200 ? "allow" : "block",
          nginx: viaNginx === 200 ? "allow" : "block",
          tester: tested.value.decision === "allow" ? "allow" : "block",
          cli: viaCli === "service_auth" ? "allow" : viaCli,
          exportHasCrl: exp.files.some((f) => f.content.includes("BEGIN X509 CRL")),
        };
      } finally {
        await nginx.stop();
      }
    };
    const devicePem = readFileSync(device.cert, "utf8");
    const rows = [await answers("active", device, devicePem), await answers("another Common Name", otherCert, other.value.certificatePem)];
    expect((await revokeClientCertificate(db, adminActor, certId, "lost")).ok).toBe(true);
    rows.push(await answers("revoked", device, devicePem));
    expect((await reactivateClientCertificate(db, adminActor, certId)).ok).toBe(true);
    rows.push(await answers("reactivated", device, devicePem));
    await api.close();
    const expected = (label: string, d: string) => ({ label, gateway: d, nginx: d, tester: d, cli: d, exportHasCrl: true });
    expect(rows).toEqual([expected("active", "allow"), expected("another Common Name", "block"), expected("revoked", "block"), expected("reactivated", "allow")]);
  });
});
