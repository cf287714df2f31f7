/**
 * The gateway's bypass regressions (issue 12), end to end over real TLS with `curl` and a recording origin:
 * path tricks (normalised before matching, the normalised path forwarded), no identity from an unverified
 * certificate or a Bypass decision, no client-chosen identity or address headers, unknown hostnames that cost no
 * database work or log rows. The origin URLs that would inject proxy configuration and the connection limits are in
 * ./gateway-security-limits.test.ts.
 */
import { mkdtempSync } from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { flushAccessLog, recordAccess, recordUnknownHost } from "@/lib/domain/access-log";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { updateHostnameSettings } from "@/lib/domain/hostnames";
import { createPolicy } from "@/lib/domain/policies";
import { loadServerCert, type Gateway } from "@/lib/gateway";
import { loadHostConfig, loadHostIndex } from "@/lib/gateway/context";
import { loadSigner } from "@/lib/gateway/jwt";
import { createListener } from "@/lib/gateway/server";
import { adminActor } from "../helpers/actors";
import { curl, generateGatewayPki, httpsGet, startOrigin, type GatewayPki } from "./gateway-fixtures";

/** `a.example.com`: the whole host needs CN John Doe (Service Auth), `/public` is Bypass. */
const A = "a.example.com";
/** `b.example.com`: the whole host is Bypass, `/admin` needs CN John Doe, `/open` allows Everyone. */
const B = "b.example.com";

let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let identity: ReturnType<typeof loadServerCert>;
let cacert = "";
let audOpen = "";
const sourceCalls: string[] = [];
let indexCalls = 0;

const get = (host: string, o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host, port: gw.port, cacert, ...o });

async function mustOk<T>(p: Promise<{ ok: boolean; value?: T }>): Promise<T> {
  const r = await p;
  if (!r.ok) throw new Error(JSON.stringify(r));
  return r.value as T;
}

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  await mustOk(createCertificate(adminActor, { name: "Seed chain", certificate: pki.chainPem, associated_hostnames: [A, B] }));
  const john = await mustOk<{ id: string }>(createPolicy(adminActor, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] }));
  const bypass = await mustOk<{ id: string }>(createPolicy(adminActor, { name: "Public", decision: "bypass", include: [{ everyone: {} }] }));
  const everyone = await mustOk<{ id: string }>(createPolicy(adminActor, { name: "Everyone", decision: "allow", include: [{ everyone: {} }] }));
  const app = (name: string, domain: string, policy: string) => mustOk<{ aud: string }>(createApplication(adminActor, { name, domain, policies: [policy], origin_url: origin.url }));
  await app("A root", A, john.id);
  await app("A public", `${A}/public`, bypass.id);
  await app("B root", B, bypass.id);
  await app("B admin", `${B}/admin`, john.id);
  audOpen = (await app("B open", `${B}/open`, everyone.id)).aud;
  await mustOk(updateHostnameSettings(adminActor, { settings: [{ hostname: B, client_certificate_forwarding: true, china_network: false }] }));

  identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [A, B] });
  cacert = identity.certPath;
  gw = await createListener({
    port: 0,
    host: "127.0.0.1",
    identity,
    signer: await loadSigner(),
    source: (h) => {
      sourceCalls.push(h);
      return loadHostConfig(h);
    },
    index: () => {
      indexCalls++;
      return loadHostIndex();
    },
    sink: recordAccess,
    unknownSink: recordUnknownHost,
  });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("request targets (finding 2)", () => {
  it.each([
    [A, "/public/../secret", "/secret"],
    [A, "/public/%2e%2e/secret", "/secret"],
    [B, "/Admin", "/Admin"],
    [B, "/%61dmin", "/admin"],
    [B, "//admin", "/admin"],
    [B, "/x/../admin", "/admin"],
    [B, "/./admin", "/admin"],
    [B, "/admin;x", "/admin;x"],
    [B, "/%2e/admin", "/admin"],
    [B, "/ADMIN/Deep/../x?q=%2F", "/ADMIN/x?q=%2F"],
  ])("%s%s needs the certificate, and the origin gets %s", async (host, target, forwarded) => {
    const before = origin.seen.length;
    const anon = await get(host, { paths: [target], headers: ["Accept: application/json"] });
    expect(anon.status, anon.body).toBe(403);
    expect(JSON.parse(anon.body).reason).toMatch(/no client certificate presented/);
    expect(origin.seen.length).toBe(before);
    const allowed = await get(host, { paths: [target], cert: pki.client });
    expect(allowed.status).toBe(200);
    expect(origin.seen.at(-1)!.url).toBe(forwarded);
  });

  it("uses the path of an absolute-form target whose authority is the Host header, refuses any other", async () => {
    const before = origin.seen.length;
    const same = await get(B, { requestTarget: `http://${B}:${gw.port}/admin` });
    expect(same.status).toBe(403);
    const other = await get(B, { requestTarget: `http://elsewhere.example.com/admin`, headers: ["Accept: application/json"] });
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body)).toMatchObject({ status: 400, error: "Bad request" });
    expect(JSON.parse(other.body).message).toMatch(/not the Host header/);
    expect(origin.seen.length).toBe(before);
    const ok = await get(B, { requestTarget: `http://${B}:${gw.port}/x/../admin?y=1`, cert: pki.client });
    expect(ok.status).toBe(200);
    expect(origin.seen.at(-1)!.url).toBe("/admin?y=1");
  });

  it.each([
    [A, "/public/..%2fsecret", /\(%2F\) is not allowed/],
    [B, "/admin%5cx", /\(%5C\) is not allowed/],
    [B, "/x%00", /NUL/],
    [B, "/x/..;/admin", /dot segment with parameters/],
  ])("refuses %s%s with 400 and a clear page", async (host, target, why) => {
    const before = origin.seen.length;
    const r = await get(host, { paths: [target], cert: pki.client });
    expect(r.status).toBe(400);
    expect(r.body).toMatch(/<h1>Bad request<\/h1>/);
    expect(r.body).toMatch(why);
    expect(origin.seen.length).toBe(before);
  });

  it("matches on segment boundaries: /administrator is not /admin", async () => {
    const r = await get(B, { paths: ["/administrator"] });
    expect(r.status).toBe(200);
    expect(origin.seen.at(-1)!.url).toBe("/administrator");
  });
});

describe("identity only from a verified certificate (finding 3)", () => {
  it("sends no JWT, cookie or certificate header for a Bypass decision, even with a self-signed CN=John Doe", async () => {
    for (const cert of [pki.selfSigned, pki.client]) {
      const r = await get(B, { paths: ["/public"], cert });
      expect(r.status).toBe(200);
      expect(r.headers).not.toMatch(/^set-cookie: CF_Authorization=/im);
      const h = origin.seen.at(-1)!.headers;
      expect(h["cf-access-jwt-assertion"]).toBeUndefined();
      for (const n of ["client-cert", "client-cert-chain", "cf-client-cert-der-base64", "cf-client-cert-sha256"]) expect(h[n]).toBeUndefined();
    }
  });

  it("puts no certificate field in the JWT when the chain did not validate (Allow Everyone, self-signed)", async () => {
    const r = await get(B, { paths: ["/open"], cert: pki.selfSigned });
    expect(r.status).toBe(200);
    const assertion = String(origin.seen.at(-1)!.headers["cf-access-jwt-assertion"]);
    const jwks = JSON.parse((await get(B, { paths: ["/cdn-cgi/access/certs"] })).body);
    const { payload } = await jwtVerify(assertion, createLocalJWKSet(jwks), { audience: audOpen });
    expect(payload.common_name).toBeUndefined();
    expect(payload.sub).toBe("");
    expect(origin.seen.at(-1)!.headers["client-cert"]).toBeUndefined();
    // The same application with the valid certificate still gets its Common Name.
    await get(B, { paths: ["/open"], cert: pki.client });
    const valid = await jwtVerify(String(origin.seen.at(-1)!.headers["cf-access-jwt-assertion"]), createLocalJWKSet(jwks), { audience: audOpen });
    expect(valid.payload.common_name).toBe("John Doe");
  });
});

describe("forwarded headers (finding 8)", () => {
  it("drops underscore names, the client's CF_Authorization cookie and address headers on every request of a connection", async () => {
    const n = origin.seen.length;
    const r = await get(B, {
      cert: pki.client,
      paths: ["/admin/first", "/admin/second"],
      headers: [
        "Cf_Access_Jwt_Assertion: forged",
        "Cf_Client_Cert_Der_Base64: Zm9yZ2Vk",
        "Client_Cert: :Zm9yZ2Vk:",
        "Cookie: a=1; CF_Authorization=forged; b=2; cf_authorization=again",
        "Cf-Connecting-Ip: 203.0.113.9",
        "True-Client-Ip: 203.0.113.9",
        "X-Real-IP: 203.0.113.9",
        "Forwarded: for=203.0.113.9",
        "X-Forwarded-For: 203.0.113.9",
        "X-Forwarded-Host: evil.example",
        "X-Forwarded-Proto: http",
      ],
    });
    expect(r.status).toBe(200);
    const seen = origin.seen.slice(n);
    expect(seen.map((s) => s.url)).toEqual(["/admin/first", "/admin/second"]);
    for (const s of seen) {
      const names = Object.keys(s.headers);
      expect(names.filter((k) => k.includes("_")), JSON.stringify(names)).toEqual([]);
      expect(s.headers.cookie).toBe("a=1; b=2");
      expect(s.headers["cf-connecting-ip"]).toBe("127.0.0.1");
      expect(s.headers["x-forwarded-for"]).toBe("127.0.0.1");
      expect(s.headers["x-forwarded-host"]).toBe(`${B}:${gw.port}`);
      expect(s.headers["x-forwarded-proto"]).toBe("https");
      expect(s.headers["x-real-ip"]).toBeUndefined();
      expect(s.headers["true-client-ip"]).toBeUndefined();
      expect(s.headers.forwarded).toBeUndefined();
      expect(s.headers["cf-access-jwt-assertion"]).toMatch(/^ey/);
      expect(s.headers["client-cert"]).toMatch(/^:[A-Za-z0-9+/=]+:$/);
    }
  });

  it("sends no Cookie header when CF_Authorization was the only cookie", async () => {
    await get(B, { cert: pki.client, paths: ["/admin"], headers: ["Cookie: CF_Authorization=forged"] });
    expect(origin.seen.at(-1)!.headers.cookie).toBeUndefined();
  });
});

describe("unknown hostnames (finding 11)", () => {
  const N = 120;
  const db = async () => getDb();
  const unknownCount = async () => {
    const r = (await (await db()).execute(sql`select coalesce(sum(requests), 0)::int as n from unknown_host_hourly`)) as unknown as { rows: { n: number }[] };
    return Number(r.rows[0].n);
  };
  const logRows = async (like: string) => {
    const r = (await (await db()).execute(sql`select count(*)::int as n from access_log where hostname like ${like}`)) as unknown as { rows: { n: number }[] };
    return Number(r.rows[0].n);
  };

  it("answers 404 without a database query or a log row each, and counts them per hour", async () => {
    await flushAccessLog();
    const before = await unknownCount();
    const sourceBefore = sourceCalls.length;
    const indexBefore = indexCalls;
    const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
    const names = Array.from({ length: N }, (_, i) => `r${i}-${Math.random().toString(36).slice(2, 8)}.unknown.test`);
    // Half with a matching SNI name (a TLS connection each), half with a random Host on one keep-alive connection.
    for (let i = 0; i < N; i += 8) {
      const batch = names.slice(i, i + 8);
      const rs = await Promise.all(batch.map((h, j) => httpsGet({ port: gw.port, host: h, servername: (i + j) % 2 ? h : "a.example.com", agent })));
      for (const r of rs) expect(r.status).toBe(404);
    }
    agent.destroy();
    await flushAccessLog();
    expect(await logRows("%.unknown.test")).toBe(0);
    expect((await unknownCount()) - before).toBe(N);
    expect(sourceCalls.slice(sourceBefore).filter((h) => h.endsWith(".unknown.test"))).toEqual([]);
    expect(indexCalls - indexBefore).toBeLessThanOrEqual(1);
    const sample = (await (await db()).execute(sql`select sample from unknown_host_hourly order by hour desc limit 1`)) as unknown as { rows: { sample: string }[] };
    expect(sample.rows[0].sample).toMatch(/\.unknown\.test$/);
  });

  it("learns a newly configured hostname on reload (the index is dropped with the configuration)", async () => {
    const late = "late.example.com";
    expect((await httpsGet({ port: gw.port, host: late, servername: late })).status).toBe(404);
    const p = await mustOk<{ id: string }>(createPolicy(adminActor, { name: "Late", decision: "allow", include: [{ everyone: {} }] }));
    await mustOk(createApplication(adminActor, { name: "Late", domain: late, policies: [p.id], origin_url: origin.url }));
    const indexBefore = indexCalls;
    gw.reload();
    expect((await httpsGet({ port: gw.port, host: late, servername: late })).status).toBe(200);
    expect(indexCalls).toBe(indexBefore + 1);
  });

  it("still writes an access-log row for a known hostname without an application at that path", async () => {
    await flushAccessLog();
    const before = await logRows(A);
    // a.example.com is configured; a request for it with a refused target is logged as a denial.
    await get(A, { paths: ["/a%2fb"] });
    await flushAccessLog();
    expect(await logRows(A)).toBe(before + 1);
  });
});
