/**
 * nginx parity: run nginx (nginx-light) with the exported configuration on loopback and check that the same
 * client certificates get the same allow/deny outcome as from the Portcullis gateway, that the request-target
 * tricks of issue 12 are refused by both (or reach the origin with the same normalised path when allowed), that
 * neither passes client identity or address headers on, and that a stored origin URL or path written to inject
 * nginx directives produces neither an injected directive nor a configuration `nginx -t` rejects.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { applications } from "@/lib/db/schema";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { buildNginxExport } from "@/lib/export/nginx";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { ossl, Pki } from "../pki/openssl";
import { curl, generateGatewayPki, startOrigin, tlsRequest, until, type ClientCert, type GatewayPki } from "./gateway-fixtures";
import { findNginx } from "./nginx-fixtures";

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
/** `a.example.com`: the whole host needs CN John Doe, `/public` is Bypass. */
const A = "a.example.com";
/** `b.example.com`: the whole host is Bypass, `/admin` and `/we;ird$path` need CN John Doe. */
const B = "b.example.com";
/**
 * `rev.example.com`: the seed chain (with its CRL) and a second CA without a CRL; CN John Doe. The second CA issued a
 * certificate with the serial number the seed's CRL revokes: it is not revoked (lib/access: a CA without a stored
 * CRL is not checked), so both must let it in.
 */
const REV = "rev.example.com";
const INJECTED_ORIGIN = "http://x;}server{listen;/";
/** a certificate of REV's second CA with the serial of the seed's revoked certificate */
let sameSerial: ClientCert;
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let nginx: ChildProcess | null = null;
let nginxPort = 0;
let cacert = "";
let config = "";
let nginxLog = "";

/** Both servers, the same request: status and (when the origin was reached) the path it received. */
async function both(host: string, o: Partial<Parameters<typeof curl>[0]> & { target?: (port: number) => string }) {
  const out: { status: number; seen: string | null }[] = [];
  for (const port of [gw.port, nginxPort]) {
    const n = origin.seen.length;
    const r = await curl({ host, port, cacert, ...o, ...(o.target ? { requestTarget: o.target(port) } : {}) });
    out.push({ status: r.status, seen: origin.seen.length > n ? origin.seen.at(-1)!.url : null });
  }
  return { gateway: out[0], nginx: out[1] };
}

describe.skipIf(!NGINX)("nginx export parity", () => {
  beforeAll(async () => {
    pki = generateGatewayPki();
    origin = await startOrigin();
    const c = await createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [HOST, "unused.example.com", A, B, REV], crl: pki.crlPem });
    if (!c.ok) throw new Error(JSON.stringify(c));
    const pol = await createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], exclude: [{ ip: { ip: "192.0.2.0/24" } }] });
    if (!pol.ok) throw new Error(JSON.stringify(pol));
    const email = await createPolicy(adminActor, { name: "Staff", decision: "allow", include: [{ email_domain: { domain: "example.com" } }] });
    if (!email.ok) throw new Error(JSON.stringify(email));
    const app = await createApplication(adminActor, { name: "Auth portal", domain: HOST, policies: [pol.value.id, email.value.id], origin_url: origin.url });
    if (!app.ok) throw new Error(JSON.stringify(app));
    // REV's second CA (no CRL), and its certificate with the revoked serial.
    const second = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-ca2-")));
    const root2 = second.root("root2", { subj: "/O=Parity/CN=Parity Second Root CA" });
    const int2 = second.issue("int2", root2, { subj: "/O=Parity/CN=Parity Second Intermediate CA", ext: ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always,issuer", "basicConstraints=critical,CA:true", "keyUsage=critical,cRLSign,keyCertSign"] });
    const revokedSerial = ossl(["x509", "-noout", "-serial", "-in", pki.revoked.cert], second.dir).trim().replace(/^serial=/, "");
    ossl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", "same.key", "-out", "same.csr", "-subj", "/CN=John Doe"], second.dir);
    ossl(["x509", "-req", "-in", "same.csr", "-CA", int2.cert, "-CAkey", int2.key, "-set_serial", `0x${revokedSerial}`, "-out", "same.pem", "-days", "30", "-sha256"], second.dir);
    sameSerial = { cert: second.path("same.pem"), key: second.path("same.key") };
    const c2 = await createCertificate(adminActor, { name: "Second chain", certificate: readFileSync(int2.cert, "utf8") + readFileSync(root2.cert, "utf8"), associated_hostnames: [REV] });
    if (!c2.ok) throw new Error(JSON.stringify(c2));
    const revApp = await createApplication(adminActor, { name: "Rev portal", domain: REV, policies: [pol.value.id], origin_url: origin.url });
    if (!revApp.ok) throw new Error(JSON.stringify(revApp));
    const bypass = await createPolicy(adminActor, { name: "Public", decision: "bypass", include: [{ everyone: {} }] });
    if (!bypass.ok) throw new Error(JSON.stringify(bypass));
    const john = await createPolicy(adminActor, { name: "John Doe only", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
    if (!john.ok) throw new Error(JSON.stringify(john));
    for (const [name, domain, policy] of [
      ["A root", A, john],
      ["A public", `${A}/public`, bypass],
      ["B root", B, bypass],
      ["B admin", `${B}/admin`, john],
      ["B dollar", `${B}/pay$ment`, john],
      ["B semicolon", `${B}/semi`, john],
      ["B bad origin", `${B}/badorigin`, john],
    ] as const) {
      const a = await createApplication(adminActor, { name, domain, policies: [policy.value.id], origin_url: origin.url });
      if (!a.ok) throw new Error(JSON.stringify(a));
    }
    // A row stored before origin URLs were validated (the API refuses this URL now).
    await (await getDb()).update(applications).set({ originUrl: INJECTED_ORIGIN }).where(eq(applications.name, "B bad origin"));
    // A path with ";" and "$" stored before ";" was refused in application paths.
    await (await getDb()).update(applications).set({ path: "/semi;x$y{z}", domain: `${B}/semi;x$y{z}` }).where(eq(applications.name, "B semicolon"));

    const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-nginx-"));
    const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames: [HOST, A, B, REV] });
    cacert = identity.certPath;
    gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
    gw.reload();

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
    expect(config).toMatch(/# - Email rules need an identity provider login, which nginx cannot perform/);
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
    // The documented difference: the app's Staff policy (Emails ending in) could let a signed-in person in, so where
    // the certificate policy refuses, the gateway asks a non-browser client to sign in (401) and nginx, which cannot
    // sign anyone in, answers 403.
    expect(viaGateway.status).toBe(expected === 403 ? 401 : expected);
    expect(viaNginx.status, nginxLog).toBe(expected);
    if (expected === 403) expect(viaNginx.body).toMatch(/Forbidden/);
  });

  it("checks revocation where the gateway does: a CA without a stored CRL is not checked, whatever another CA revoked (lib/access revocation plan)", async () => {
    for (const [cert, expected] of [[sameSerial, 200], [pki.revoked, 403], [pki.client, 200]] as const) {
      const r = await both(REV, { cert });
      expect({ gateway: r.gateway.status, nginx: r.nginx.status }, nginxLog).toEqual({ gateway: expected, nginx: expected });
    }
    expect(config).toMatch(/map "\$ssl_client_verify\|\$ssl_client_serial\|\$ssl_client_i_dn"/);
  });

  it("answers 421 like the gateway to a request without SNI, or with a name nginx has no server for, for a hostname that asks for a client certificate", async () => {
    for (const port of [gw.port, nginxPort]) {
      const r = await tlsRequest({ port, sni: null, host: HOST, cert: pki.client, headers: ["Accept: application/json"] });
      expect(r.status, `port ${port}: ${r.body} ${nginxLog}`).toBe(421);
      expect(r.body).toMatch(/no TLS server name \(SNI\)/);
      // a name neither serves: nginx picks its default server for the handshake (no certificate asked for)
      const other = await tlsRequest({ port, sni: "elsewhere.example.com", host: HOST, cert: pki.client });
      expect(other.status, `port ${port}: ${other.body} ${nginxLog}`).toBe(421);
    }
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

  describe("request targets and headers (issue 12)", () => {
    it.each([
      [A, "/public/../secret", "/secret"],
      [A, "/public/%2e%2e/secret", "/secret"],
      [A, "/public/..%2fsecret", null],
      [B, "/Admin", "/Admin"],
      [B, "/%61dmin", "/admin"],
      [B, "//admin", "/admin"],
      [B, "/x/../admin", "/admin"],
      [B, "/./admin", "/admin"],
      [B, "/admin;x", "/admin;x"],
      [B, "/%2e/admin", "/admin"],
      [B, "/x/..;/admin", null],
      [B, "/admin%5cx", null],
      [B, "/PAY$MENT/x", "/PAY$MENT/x"],
      [B, "/Semi;q", "/Semi;q"],
    ])("%s%s: refused by both without a certificate; with one, the origin gets %s from both", async (host, path, forwarded) => {
      const anon = await both(host, { paths: [path] });
      for (const r of [anon.gateway, anon.nginx]) {
        expect([400, 403], `${JSON.stringify(anon)} ${nginxLog}`).toContain(r.status);
        expect(r.seen).toBeNull();
      }
      const withCert = await both(host, { paths: [path], cert: pki.client });
      if (forwarded === null) {
        expect(withCert.gateway.status).toBe(400);
        expect(withCert.nginx.status).toBe(400);
      } else {
        expect(withCert.gateway).toEqual({ status: 200, seen: forwarded });
        expect(withCert.nginx).toEqual({ status: 200, seen: forwarded });
      }
    });

    it("treats the absolute form like its path when the authority is the Host, and /administrator as not /admin", async () => {
      const anon = await both(B, { target: (port) => `http://${B}:${port}/admin` });
      expect(anon.gateway).toEqual({ status: 403, seen: null });
      expect(anon.nginx).toEqual({ status: 403, seen: null });
      const ok = await both(B, { target: (port) => `http://${B}:${port}/x/../admin?q=1`, cert: pki.client });
      expect(ok.gateway).toEqual({ status: 200, seen: "/admin?q=1" });
      expect(ok.nginx).toEqual({ status: 200, seen: "/admin?q=1" });
      const other = await both(B, { paths: ["/administrator"] });
      expect(other.gateway).toEqual({ status: 200, seen: "/administrator" });
      expect(other.nginx).toEqual({ status: 200, seen: "/administrator" });
    });

    it("drops underscore headers, the client's CF_Authorization cookie and address headers in both", async () => {
      for (const port of [gw.port, nginxPort]) {
        const n = origin.seen.length;
        const r = await curl({
          host: B, port, cacert, cert: pki.client, paths: ["/admin/1", "/admin/2"],
          headers: ["Cf_Access_Jwt_Assertion: forged", "Cf_Client_Cert_Der_Base64: Zm9yZ2Vk", "Cookie: a=1; CF_Authorization=forged; b=2", "Cf-Connecting-Ip: 203.0.113.9", "X-Real-IP: 203.0.113.9", "Forwarded: for=203.0.113.9", "X-Forwarded-For: 203.0.113.9"],
        });
        expect(r.status).toBe(200);
        const seen = origin.seen.slice(n);
        expect(seen).toHaveLength(2);
        for (const s of seen) {
          expect(Object.keys(s.headers).filter((k) => k.includes("_"))).toEqual([]);
          expect(s.headers.cookie).toBe("a=1; b=2");
          expect(s.headers["cf-connecting-ip"]).toBe("127.0.0.1");
          expect(s.headers["x-forwarded-for"]).toBe("127.0.0.1");
          expect(s.headers["x-real-ip"]).toBeUndefined();
          expect(s.headers.forwarded).toBeUndefined();
        }
      }
    });

    it("writes no injected directive for a stored bad origin URL or a path with ; and $ (nginx -t passed in beforeAll)", async () => {
      expect(config).not.toContain("server{listen");
      expect(config).not.toContain("x;}");
      expect(config).toMatch(/# origin URL not exported: it is not an http\(s\) URL/);
      expect(config).not.toMatch(/location[^\n]*(?:pay\$|semi;)/i);
      expect(config).toContain('location ~* "^/pay\\x{24}ment(?:;[^/]*)?(?:/|$)" {');
      expect(config).toContain('location ~* "^/semi(?:;[^/]*)?(?:/|$)" {');
      const bad = await both(B, { paths: ["/badorigin"], cert: pki.client });
      expect(bad.gateway.status).toBe(502);
      expect(bad.nginx.status).toBe(502);
    });
  });
});
