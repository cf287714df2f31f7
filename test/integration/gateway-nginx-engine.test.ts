/**
 * GATEWAY_ENGINE=nginx (lib/gateway/nginx-engine) end to end with a real nginx: the start-up refusal without nginx,
 * the fast path (nginx proxies an allowed request itself after asking the request path) against the full path (a
 * request the fast path may not serve exactly), the headers nginx uses to describe the connection never taken from
 * a client, one access-log row per request on either path, and a configuration change reaching nginx (new hostname,
 * new CA list in the handshake) at once (reloaded, without dropping a request in flight). The rest of the gateway's
 * behaviour is checked by the gateway suites run with GATEWAY_ENGINE=nginx (npm run test:nginx-engine).
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createCertificate } from "@/lib/domain/certificates";
import { parseEnv } from "@/lib/env.mjs";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { configureSeedGateway, curl, generateGatewayPki, tlsRequest, until, type GatewayPki } from "./gateway-fixtures";
import { findNginx } from "./nginx-fixtures";

const HOST = "auth.example.com";
const NEW_HOST = "later.example.com";
const nginx = findNginx();
let pki: GatewayPki;
let gw: Gateway;
let cacert: string;
let identityDir: string;
const seen: { url: string; headers: http.IncomingHttpHeaders }[] = [];
let origin: http.Server;

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });

describe.skipIf(!nginx)("the nginx engine", () => {
  beforeAll(async () => {
    process.env.GATEWAY_NGINX_BIN = nginx!;
    pki = generateGatewayPki();
    // An origin that records what it is sent; /slow answers after 1.5 s (a request in flight across a reload).
    origin = http.createServer((req, res) => {
      seen.push({ url: req.url ?? "", headers: req.headers });
      setTimeout(() => res.end("origin ok"), req.url === "/slow" ? 1500 : 0);
    });
    await new Promise<void>((r) => origin.listen(0, "127.0.0.1", r));
    await configureSeedGateway(pki, HOST, `http://127.0.0.1:${(origin.address() as AddressInfo).port}`);
    identityDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-"));
    const identity = loadServerCert({ dir: identityDir, hostnames: [HOST, NEW_HOST] });
    cacert = identity.certPath;
    gw = await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx" });
  });

  afterAll(async () => {
    await gw?.close();
    origin?.closeAllConnections();
    await new Promise((r) => origin?.close(r));
    delete process.env.GATEWAY_NGINX_BIN;
  });

  it("GATEWAY_ENGINE accepts node or nginx, and the engine refuses to start without nginx in one line", async () => {
    expect(parseEnv({ GATEWAY_ENGINE: "nginx" }).GATEWAY_ENGINE).toBe("nginx");
    expect(() => parseEnv({ GATEWAY_ENGINE: "apache" })).toThrow(/GATEWAY_ENGINE="apache": expected node or nginx/);
    process.env.GATEWAY_NGINX_BIN = "/nonexistent/nginx";
    try {
      const identity = loadServerCert({ dir: identityDir });
      const err = await createGateway({ port: 0, host: "127.0.0.1", identity, engine: "nginx" }).then(() => null, (e: Error) => e);
      expect(err?.message).toMatch(/^GATEWAY_ENGINE=nginx needs nginx, which was not found at \/nonexistent\/nginx: install it \(apt-get install nginx-light\) or set GATEWAY_NGINX_BIN/);
      expect(err?.message).not.toContain("\n");
    } finally {
      process.env.GATEWAY_NGINX_BIN = nginx!;
    }
  });

  it("serves an allowed request through nginx with the gateway's JWT and headers, and logs it once", async () => {
    const r = await get({ cert: pki.client, paths: ["/fast-once?a=1"] });
    expect(r.status).toBe(200);
    expect(r.body).toBe("origin ok");
    expect(r.headers).toMatch(/^set-cookie: CF_Authorization=[^;]+;.*HttpOnly/im);
    const h = seen.at(-1)!;
    expect(h.url).toBe("/fast-once?a=1");
    expect(h.headers["cf-access-jwt-assertion"]).toMatch(/^ey/);
    expect(h.headers).toMatchObject({ "cf-connecting-ip": "127.0.0.1", "x-forwarded-for": "127.0.0.1", "x-forwarded-proto": "https", "x-forwarded-host": `${HOST}:${gw.port}` });
    for (const n of Object.keys(h.headers)) expect(n).not.toMatch(/^x-portcullis-/);
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST }, 50);
    expect(items.filter((i) => i.path === "/fast-once").length).toBe(1);
  });

  it("never takes the connection's description from the client: forged X-Portcullis-* headers change nothing and never reach the origin", async () => {
    const clientPem = encodeURIComponent((await import("node:fs")).readFileSync(pki.client.cert, "utf8"));
    const forged = [`X-Portcullis-Client-Cert: ${clientPem}`, "X-Portcullis-Client-Ip: 10.9.9.9", "X-Portcullis-Sni: other.example.com", "X-Portcullis-Auth: 1", "X-Portcullis-Requests: 1"];
    const denied = await get({ headers: forged, paths: ["/forged"] });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatch(/no client certificate presented/);
    const before = seen.length;
    const ok = await get({ cert: pki.client, headers: forged, paths: ["/forged-allowed"] });
    expect(ok.status).toBe(200);
    expect(seen.length).toBe(before + 1);
    expect(seen.at(-1)!.headers["cf-connecting-ip"]).toBe("127.0.0.1");
    for (const n of Object.keys(seen.at(-1)!.headers)) expect(n).not.toMatch(/^x-portcullis-/);
  });

  it("hands a request the fast path cannot serve exactly to the request path, which strips what the node engine strips and logs it once", async () => {
    const r = await get({ cert: pki.client, paths: ["/full-path"], headers: ["X-Forwarded-Client-Cert: Hash=forged", "Cf_Access_Jwt_Assertion: forged", "Cookie: a=1; CF_Authorization=forged"] });
    expect(r.status).toBe(200);
    const h = seen.at(-1)!.headers;
    expect(h["x-forwarded-client-cert"]).toBeUndefined();
    expect(Object.keys(h).some((n) => n.includes("_"))).toBe(false);
    expect(h.cookie).toBe("a=1");
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST }, 50);
    expect(items.filter((i) => i.path === "/full-path").length).toBe(1);
  });

  it("takes a new hostname and its CA list into nginx at once, without dropping a request in flight", async () => {
    const slow = get({ cert: pki.client, paths: ["/slow"] });
    await until(async () => seen.some((s) => s.url === "/slow"), 5000, "the slow request to reach the origin");
    const t0 = Date.now();
    const c = await createCertificate(adminActor, { name: "Later chain", certificate: pki.chainPem, associated_hostnames: [NEW_HOST] });
    expect(c.ok, JSON.stringify(c)).toBe(true);
    // The new server block asks for certificates of the new hostname's CAs: their names are in the CertificateRequest.
    // A probe (an openssl process: slow on a loaded machine) starts every 100 ms; the first one to see the new CA
    // list must have started within 3 s of the change (about 2 s on the 2-core machine at a load average of 18, where
    // nginx takes most of that to start its new workers; the node engine's caches drop within the same second).
    const probes: Promise<number | null>[] = [];
    let seenAt: number | null = null;
    while (seenAt === null && Date.now() - t0 < 5000) {
      const started = Date.now() - t0;
      probes.push(caNames(NEW_HOST).then((out) => (/Acceptable client certificate CA names\n[^\n]*Gateway Test Intermediate CA/.test(out) ? started : null)));
      await new Promise((r) => setTimeout(r, 100));
      seenAt = (await Promise.race([Promise.all(probes.slice(0, -3)), Promise.resolve(null)]))?.find((x) => x !== null) ?? null;
    }
    const starts = (await Promise.all(probes)).filter((x): x is number => x !== null);
    expect(starts.length).toBeGreaterThan(0);
    expect(Math.min(...starts)).toBeLessThan(3000);
    const inflight = await slow;
    expect(inflight.status).toBe(200);
    expect(inflight.body).toBe("origin ok");
    // A hostname nobody configured is asked for a certificate without a CA list, and gets the gateway's 404.
    expect(await caNames("nobody.example.com")).toMatch(/No client certificate CA names sent/);
    expect((await tlsRequest({ port: gw.port, sni: "nobody.example.com", host: "nobody.example.com" })).status).toBe(404);
  });
});

/** The CA names of the CertificateRequest nginx sends for `sni` (openssl s_client, its input closed at once). */
function caNames(sni: string): Promise<string> {
  return new Promise((resolve) => {
    const child = execFile("openssl", ["s_client", "-connect", `127.0.0.1:${gw.port}`, "-servername", sni, "-tls1_2"], { timeout: 10_000 }, (_e, stdout) => resolve(String(stdout)));
    child.stdin?.end();
  });
}
