/**
 * nginx parity: run nginx (nginx-light) with the exported configuration on loopback and check that the same
 * client certificates get the same allow/deny outcome as from the Portcullis gateway.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { buildNginxExport } from "@/lib/export/nginx";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { curl, generateGatewayPki, startOrigin, until, type GatewayPki } from "./gateway-fixtures";

function findNginx(): string | null {
  const which = () => {
    for (const p of ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]) {
      try {
        execFileSync(p, ["-v"], { stdio: "ignore" });
        return p;
      } catch {
        /* not there */
      }
    }
    return null;
  };
  const found = which();
  if (found || process.getuid?.() !== 0) return found;
  try {
    execFileSync("apt-get", ["install", "-y", "nginx-light"], { stdio: "ignore", timeout: 240_000, env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
  } catch {
    return null;
  }
  return which();
}

const NGINX = findNginx();
if (!NGINX) console.warn("nginx parity test skipped: nginx is not installed and could not be installed (needs root and apt-get).");

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const HOST = "auth.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let nginx: ChildProcess | null = null;
let nginxPort = 0;
let cacert = "";
let config = "";
let nginxLog = "";

describe.skipIf(!NGINX)("nginx export parity", () => {
  beforeAll(async () => {
    pki = generateGatewayPki();
    origin = await startOrigin();
    const c = await createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [HOST, "unused.example.com"], crl: pki.crlPem });
    if (!c.ok) throw new Error(JSON.stringify(c));
    const pol = await createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], exclude: [{ ip: { ip: "192.0.2.0/24" } }] });
    if (!pol.ok) throw new Error(JSON.stringify(pol));
    const email = await createPolicy(adminActor, { name: "Staff", decision: "allow", include: [{ email_domain: { domain: "example.com" } }] });
    if (!email.ok) throw new Error(JSON.stringify(email));
    const app = await createApplication(adminActor, { name: "Auth portal", domain: HOST, policies: [pol.value.id, email.value.id], origin_url: origin.url });
    if (!app.ok) throw new Error(JSON.stringify(app));

    const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-"));
    const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames: [HOST] });
    cacert = identity.certPath;
    gw = await createGateway({ port: 0, host: "127.0.0.1", identity });

    nginxPort = await freePort();
    const out = await buildNginxExport({
      filesDir: dir,
      listen: `127.0.0.1:${nginxPort}`,
      serverCertificate: identity.certPath,
      serverCertificateKey: path.join(dir, "tls", "server.key"),
    });
    config = out.config;
    writeFileSync(path.join(dir, "nginx.conf"), out.config);
    for (const f of out.files) writeFileSync(path.join(dir, f.name), f.content);
    mkdirSync(path.join(dir, "logs"), { recursive: true });
    execFileSync(NGINX!, ["-t", "-q", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${dir}/nginx.pid; user root;`], { stdio: "pipe" });
    nginx = spawn(NGINX!, ["-p", dir, "-c", path.join(dir, "nginx.conf"), "-e", "stderr", "-g", `daemon off; pid ${dir}/nginx.pid; user root;`], { stdio: ["ignore", "ignore", "pipe"] });
    nginx.stderr?.on("data", (d) => (nginxLog += String(d)));
    await until(
      () =>
        new Promise<boolean>((resolve) => {
          const s = net.connect(nginxPort, "127.0.0.1", () => {
            s.destroy();
            resolve(true);
          });
          s.on("error", () => resolve(false));
        }),
      10_000,
      "nginx to listen",
    );
  });

  afterAll(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGQUIT");
      await new Promise((r) => nginx!.once("exit", r));
    }
    await gw?.close();
    await origin?.close();
  });

  it("exports a server block with the CA file, verify depth, security level 0 and the documented limitations", () => {
    expect(config).toMatch(/server_name auth\.example\.com;/);
    expect(config).toMatch(/ssl_verify_client optional_no_ca;/);
    expect(config).toMatch(/ssl_client_certificate .*auth\.example\.com\.ca\.pem;/);
    expect(config).toMatch(/ssl_verify_depth 3;/);
    expect(config).toMatch(/ssl_ciphers "DEFAULT:@SECLEVEL=0";/);
    expect(config).toMatch(/\$ssl_client_s_dn/);
    expect(config).toMatch(/# - Email rules need an identity provider/);
    expect(config).toMatch(/without an application \(no server block\): unused\.example\.com/);
  });

  it.each([
    ["no certificate", null, 403],
    ["the seed's client.pem (CN John Doe)", "client", 200],
    ["a revoked certificate", "revoked", 403],
    ["an expired certificate", "expired", 403],
    ["a certificate from another CA", "wrongCa", 403],
    ["the wrong Common Name", "janeRoe", 403],
    ["a SHA-1-signed certificate", "sha1", 200],
  ] as const)("gives the gateway's outcome for %s", async (_label, which, expected) => {
    const cert = which ? pki[which] : undefined;
    const seclevel0 = which === "sha1";
    const viaGateway = await curl({ host: HOST, port: gw.port, cacert, cert, seclevel0 });
    const viaNginx = await curl({ host: HOST, port: nginxPort, cacert, cert, seclevel0 });
    expect(viaGateway.status).toBe(expected);
    expect(viaNginx.status, nginxLog).toBe(expected);
    if (expected === 403) expect(viaNginx.body).toMatch(/Forbidden/);
  });

  it("strips forged certificate headers before the origin", async () => {
    const n = origin.seen.length;
    const r = await curl({ host: HOST, port: nginxPort, cacert, cert: pki.client, headers: ["Client-Cert: :Zm9yZ2Vk:", "Cf-Client-Cert-Der-Base64: Zm9yZ2Vk", "Cf-Access-Jwt-Assertion: forged"] });
    expect(r.status).toBe(200);
    const h = origin.seen[n].headers;
    expect(h["client-cert"]).toBeUndefined();
    expect(h["cf-client-cert-der-base64"]).toBeUndefined();
    expect(h["cf-access-jwt-assertion"]).toBeUndefined();
  });
});
