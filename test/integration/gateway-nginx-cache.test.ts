/**
 * GATEWAY_ENGINE=nginx's decision cache (lib/gateway/nginx-engine/decision-cache) with a real nginx: repeat
 * decisions are answered from nginx's proxy_cache, and each safety measure holds: a cached hit is still logged
 * (nginx's hit log, read back into the access log), the origin gets the same JWT and forwarding headers on a hit,
 * client-sent copies of the gateway's headers never ride on another request's cached decision, and a configuration
 * change drops every cached decision before the next request. (421 parity: gateway-misdirected.test.ts runs against
 * both engines; npm run test:nginx-engine.)
 */
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { updatePolicy } from "@/lib/domain/policies";
import { setCertificateCrl } from "@/lib/domain/crls";
import { getDb } from "@/lib/db/client";
import { mtlsCertificates } from "@/lib/db/schema";
import { eq } from "drizzle-orm";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { Pki } from "../pki/openssl";
import { configureSeedGateway, curl, generateGatewayPki, tlsRequest, until, type GatewayPki } from "./gateway-fixtures";
import { findNginx } from "./nginx-fixtures";

const HOST = "cache.example.com";
/** an application without a certificate: its own nginx server block */
const OPEN = "open.cache.example.com";
const nginx = findNginx();
let pki: GatewayPki;
let gw: Gateway;
let cacert: string;
let policyId: string;
let engineDir: string;
/** where nginx keeps the cache and writes the hit log (tmpfs when the host has one) */
let cacheDir: string;
let identity: ReturnType<typeof loadServerCert>;
const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
let origin: http.Server;

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });

/** Files under a directory, recursively (nginx's cache: levels=1:2). */
function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : [p];
  });
}

/** Lines nginx wrote to its hit log for decisions answered from the cache (`msec HIT row -`). */
function hitLines(): string[] {
  const f = path.join(cacheDir, "hits.log");
  return existsSync(f) ? readFileSync(f, "utf8").split("\n").filter((l) => l.split(" ")[1] === "HIT") : [];
}

/** SHA-256 (hex) of a PEM certificate's DER. */
const pemSha256 = (pem: string) => createHash("sha256").update(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64")).digest("hex");

/** The logged requests to path `p` (identical requests of the same second share a row: lib/domain/access-log/fold). */
async function rowsFor(p: string): Promise<number> {
  await flushAccessLog();
  const { items } = await listAccessLog({ hostname: HOST }, 200);
  return items.filter((i) => i.path === p).reduce((n, i) => n + i.requests, 0);
}

describe.skipIf(!nginx)("the nginx engine's decision cache", () => {
  beforeAll(async () => {
    process.env.GATEWAY_NGINX_BIN = nginx!;
    pki = generateGatewayPki();
    origin = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      res.end("origin ok");
    });
    await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
    ({ policyId } = await configureSeedGateway(pki, HOST, `http://127.0.0.1:${(origin.address() as AddressInfo).port}`));
    const open = await createApplication(adminActor, { name: "Open portal", domain: OPEN, session_duration: "1h", policies: [], origin_url: `http://127.0.0.1:${(origin.address() as AddressInfo).port}` });
    if (!open.ok) throw new Error(JSON.stringify(open));
    identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [HOST, OPEN] });
    cacert = identity.certPath;
    gw = await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx" });
    // The engine's private directory: the one whose nginx.conf listens on this port.
    engineDir = readdirSync(os.tmpdir())
      .filter((d) => d.startsWith("portcullis-nginx-"))
      .map((d) => path.join(os.tmpdir(), d))
      .find((d) => existsSync(path.join(d, "nginx.conf")) && readFileSync(path.join(d, "nginx.conf"), "utf8").includes(`:${gw.port} ssl`))!;
    cacheDir = /proxy_cache_path (\S+)\/decisions /.exec(readFileSync(path.join(engineDir, "nginx.conf"), "utf8"))![1];
  }, 180_000);

  afterAll(async () => {
    await gw?.close();
    origin?.closeAllConnections();
    await new Promise((r) => origin?.close(r));
    delete process.env.GATEWAY_NGINX_BIN;
  });

  it("keeps the cache in a 0700 directory of the engine", () => {
    expect(engineDir).toBeTruthy();
    expect(statSync(engineDir).mode & 0o777).toBe(0o700);
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(cacheDir, "decisions")).mode & 0o777).toBe(0o700);
  });

  it("answers repeat decisions from nginx's cache, with the same JWT and headers at the origin, and every request in the access log", async () => {
    const before = seen.length;
    const hitsBefore = hitLines().length;
    // One connection, four requests: the first of a connection has its own key (forwarding may differ), the second
    // is decided by the request path and kept, the third and fourth are answered from the cache.
    const r = await get({ cert: pki.client, paths: ["/cached", "/cached", "/cached", "/cached"] });
    expect(r.status).toBe(200);
    expect(r.body).toBe("origin ok");
    expect(seen.length).toBe(before + 4);
    expect(files(path.join(cacheDir, "decisions")).length).toBeGreaterThan(0);
    await until(async () => hitLines().length >= hitsBefore + 2, 5000, "nginx's hit log");
    const got = seen.slice(before);
    const jwt = got[1].headers["cf-access-jwt-assertion"];
    expect(jwt).toMatch(/^ey/);
    for (const s of got) {
      expect(s.url).toBe("/cached");
      expect(s.headers).toMatchObject({ "cf-access-jwt-assertion": jwt, "cf-connecting-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https", "x-forwarded-host": `${HOST}:${gw.port}`, accept: "*/*" });
      expect(s.headers["user-agent"]).toMatch(/^curl\//);
      for (const n of Object.keys(s.headers)) expect(n).not.toMatch(/^x-portcullis-/);
    }
    // Every request has its row, cached hits included (read back from nginx's hit log).
    await until(async () => (await rowsFor("/cached")) === 4, 5000, "four logged requests");
    const { items } = await listAccessLog({ hostname: HOST }, 200);
    // Cached hits included, each row names the client's certificate (nginx's hit lines carry only the row).
    const leaf = pemSha256(readFileSync(pki.client.cert, "utf8"));
    for (const i of items.filter((x) => x.path === "/cached")) {
      expect(i).toMatchObject({ decision: "allow", client_cn: "John Doe", policy_name: "John Doe devices", ip: "127.0.0.1", application_name: "Auth portal", chain_sha256: [leaf] });
    }
  });

  it("never lets client-sent copies of the gateway's headers ride on a cached decision", async () => {
    await get({ cert: pki.client, paths: ["/spoof", "/spoof", "/spoof"] });
    const before = seen.length;
    const forged = ["Cf-Access-Jwt-Assertion: forged", "Cf_Access_Jwt_Assertion: forged", "X-Forwarded-User: admin", "Cf-Cert-Verified: SUCCESS", "X-Forwarded-Host: evil.example.com"];
    const r = await get({ cert: pki.client, headers: forged, paths: ["/spoof", "/spoof", "/spoof"] });
    expect(r.status).toBe(200);
    expect(seen.length).toBe(before + 3);
    for (const s of seen.slice(before)) {
      expect(s.headers["cf-access-jwt-assertion"]).toMatch(/^ey/);
      expect(s.headers["x-forwarded-host"]).toBe(`${HOST}:${gw.port}`);
      expect(s.headers["x-forwarded-user"]).toBeUndefined();
      expect(s.headers["cf-cert-verified"]).toBeUndefined();
      expect(Object.keys(s.headers).some((n) => n.includes("_"))).toBe(false);
    }
    // A benign header the fast path does not forward still reaches the origin (never dropped by a cached decision).
    const custom = await get({ cert: pki.client, headers: ["X-App-Csrf: 1"], paths: ["/spoof", "/spoof"] });
    expect(custom.status).toBe(200);
    expect(seen.at(-1)!.headers["x-app-csrf"]).toBe("1");
  });

  it("drops every cached decision on a configuration change: the next request is decided by the new policy", async () => {
    const warm = await get({ cert: pki.client, paths: ["/change", "/change", "/change"] });
    expect(warm.status).toBe(200);
    expect(files(path.join(cacheDir, "decisions")).length).toBeGreaterThan(0);
    const u = await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "Jane Roe" } }], version: 1 });
    expect(u.ok, JSON.stringify(u)).toBe(true);
    try {
      // Refused within a second (the decision cache would otherwise answer 200 for up to 30 s).
      await until(async () => (await get({ cert: pki.client, paths: ["/change", "/change", "/change"] })).status === 403, 1000, "the new policy");
    } finally {
      const back = await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }], version: 2 });
      expect(back.ok, JSON.stringify(back)).toBe(true);
      // The tests after this one start from the restored policy.
      await until(async () => (await get({ cert: pki.client, paths: ["/change", "/change"] })).status === 200, 1000, "the restored policy");
    }
  });

  it("answers a Host other than the TLS server name with Portcullis's own 421 page and log row, as the node engine does", async () => {
    const node = await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "node" });
    try {
      for (const port of [node.port, gw.port]) {
        const r = await tlsRequest({ port, sni: HOST, host: OPEN, path: "/mis", cert: pki.client });
        expect(r.status).toBe(421);
        // nginx's own page would be "<html>…<title>421 Misdirected Request</title>"
        expect(r.body).toMatch(/^<!doctype html>/i);
        expect(r.body).toContain("Misdirected request");
      }
      await flushAccessLog();
      const { items } = await listAccessLog({ hostname: OPEN, decision: "deny" }, 50);
      // One request each (the two may share a row: the same decision in the same second).
      expect(items.filter((i) => /^Misdirected request: /.test(i.reason ?? "")).reduce((n, i) => n + i.requests, 0)).toBe(2);
    } finally {
      await node.close();
    }
  });

  // Last: it revokes the client for good.
  it("leaves revocation to the request path: nginx gets no CRL, and a new CRL that revokes a cached client drops its decision", async () => {
    // A CA uploaded alone with its CRL (nginx's ssl_crl would fit it: one CA, one CRL) still gives nginx no CRL.
    const solo = new Pki(mkdtempSync(path.join(os.tmpdir(), "portcullis-solo-")));
    const root = solo.root("solo", { subj: "/CN=Solo Root CA", alg: "ec" });
    const soloHost = "solo.cache.example.com";
    const made = await createCertificate(adminActor, { name: "Solo root", certificate: readFileSync(root.cert, "utf8"), associated_hostnames: [soloHost], crl: readFileSync(solo.crl(root, "solo"), "utf8") });
    expect(made.ok, JSON.stringify(made)).toBe(true);
    const conf = () => readFileSync(path.join(engineDir, "nginx.conf"), "utf8");
    await until(async () => conf().includes(soloHost), 2000, "the new hostname in nginx.conf");
    expect(conf()).toContain("ssl_client_certificate ");
    expect(conf()).not.toContain("ssl_crl");

    // nginx may still be reloading for the new hostname: its old workers close kept-alive connections and its new
    // ones start a new generation of the cache. Warm until one connection's third and fourth requests are hits.
    await until(
      async () => {
        const hitsBefore = hitLines().length;
        const warm = await get({ cert: pki.client, paths: ["/revoke", "/revoke", "/revoke", "/revoke"] });
        expect(warm.status, warm.body).toBe(200);
        return until(async () => hitLines().length >= hitsBefore + 2, 1000, "nginx's hit log").then(() => true, () => false);
      },
      10_000,
      "a cached decision for the client",
    );
    const [seed] = await (await getDb()).select({ id: mtlsCertificates.id, version: mtlsCertificates.version }).from(mtlsCertificates).where(eq(mtlsCertificates.name, "Seed chain"));
    const set = await setCertificateCrl(adminActor, seed.id, { crl: pki.revokeClient(), version: seed.version });
    expect(set.ok, JSON.stringify(set)).toBe(true);
    // Refused within a second with the request path's reason (the cached 200 would otherwise answer for up to 30 s).
    await until(async () => (await get({ cert: pki.client, paths: ["/revoke"] })).status === 403, 1000, "the new CRL");
    const r = await get({ cert: pki.client, paths: ["/revoke"], headers: ["Accept: application/json"] });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).reason).toMatch(/certificate revoked/);
    expect(conf()).not.toContain("ssl_crl");
  });
});
