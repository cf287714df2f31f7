/**
 * The enforcement gateway end to end on loopback: the seed's chain and Common Name policy, `curl` as the client.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLocalJWKSet, jwtVerify } from "jose";
import { updateHostnameSettings } from "@/lib/domain/hostnames";
import { updatePolicy } from "@/lib/domain/policies";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { configureSeedGateway, curl, generateGatewayPki, pemDer, startOrigin, until, type GatewayPki } from "./gateway-fixtures";

const HOST = "auth.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;
let aud = "";
let policyId = "";

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  ({ policyId, aud } = await configureSeedGateway(pki, HOST, origin.url));
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-"));
  const identity = loadServerCert({ dir, hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("gateway", () => {
  it("refuses a request without a client certificate with 403 (HTML, or JSON for Accept: application/json)", async () => {
    const r = await get();
    expect(r.status).toBe(403);
    expect(r.body).toMatch(/<h1>Forbidden<\/h1>/);
    expect(r.body).toMatch(/no client certificate presented/);
    const j = await get({ headers: ["Accept: application/json"] });
    expect(j.status).toBe(403);
    expect(JSON.parse(j.body)).toMatchObject({ success: false, status: 403, error: "Forbidden", hostname: HOST });
    expect(origin.seen.length).toBe(0);
  });

  it("lets the seed's client.pem through with a CF_Authorization cookie and a JWT the JWKS verifies", async () => {
    const r = await get({ cert: pki.client, paths: ["/hello?x=1"] });
    expect(r.status).toBe(200);
    expect(r.body).toBe("origin ok");
    const cookie = /^set-cookie: CF_Authorization=([^;]+);.*HttpOnly/im.exec(r.headers);
    expect(cookie, r.headers).not.toBeNull();
    expect(r.headers).toMatch(/^set-cookie: origin=1/im);
    const seen = origin.seen.at(-1)!;
    expect(seen.url).toBe("/hello?x=1");
    const assertion = String(seen.headers["cf-access-jwt-assertion"]);
    expect(assertion).toBe(cookie![1]);
    const jwks = JSON.parse((await get({ paths: ["/cdn-cgi/access/certs"] })).body);
    const { payload, protectedHeader } = await jwtVerify(assertion, createLocalJWKSet(jwks), { audience: aud, issuer: `https://${HOST}:${gw.port}` });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload.common_name).toBe("John Doe");
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(payload.sub).toMatch(/^[0-9a-f]{64}$/);
  });

  it("sets the CF_Authorization cookie once per connection for a client that does not send it back, again for a stale one; the origin gets the JWT every time", async () => {
    const before = origin.seen.length;
    const r = await get({ cert: pki.client, paths: ["/one", "/two", "/three"] });
    expect(r.connects).toEqual([1, 0, 0]);
    const responses = r.headers.split(/^(?=HTTP\/)/m).filter(Boolean);
    expect(responses.map((h) => Number(/^HTTP\/\S+ (\d{3})/.exec(h)?.[1]))).toEqual([200, 200, 200]);
    const cookie = /^set-cookie: CF_Authorization=([^;]+);/im.exec(responses[0])?.[1];
    expect(cookie, responses[0]).toBeTruthy();
    expect(responses[1]).not.toMatch(/CF_Authorization/i);
    expect(responses[2]).not.toMatch(/CF_Authorization/i);
    // The origin's own cookie is relayed every time.
    for (const h of responses) expect(h).toMatch(/^set-cookie: origin=1/im);
    const seen = origin.seen.slice(before);
    expect(seen.map((s) => s.url)).toEqual(["/one", "/two", "/three"]);
    for (const s of seen) expect(s.headers["cf-access-jwt-assertion"]).toBe(cookie);
    // A new connection is given the cookie again.
    const again = await get({ cert: pki.client, paths: ["/four"] });
    expect(again.headers).toMatch(/^set-cookie: CF_Authorization=/im);
    // A client holding another token (renewed, another application's) is given the current one on every request.
    const stale = await get({ cert: pki.client, paths: ["/five", "/six"], headers: ["Cookie: CF_Authorization=stale"] });
    expect(stale.connects).toEqual([1, 0]);
    const staleResponses = stale.headers.split(/^(?=HTTP\/)/m).filter(Boolean);
    for (const h of staleResponses) expect(/^set-cookie: CF_Authorization=([^;]+);/im.exec(h)?.[1]).toBe(cookie);
    // And one that sends it back is not sent it again.
    const current = await get({ cert: pki.client, paths: ["/seven"], headers: [`Cookie: CF_Authorization=${cookie}`] });
    expect(current.status).toBe(200);
    expect(current.headers).not.toMatch(/CF_Authorization/i);
  });

  it.each([
    ["revoked (CRL)", "revoked", /certificate revoked/],
    ["expired", "expired", /certificate has expired/],
    ["issued by another CA", "wrongCa", /unable to get local issuer certificate/],
    ["with the wrong Common Name", "janeRoe", /Denied by default/],
  ] as const)("refuses a client certificate %s", async (_label, which, reason) => {
    const before = origin.seen.length;
    const r = await get({ cert: pki[which], headers: ["Accept: application/json"] });
    expect(r.status).toBe(403);
    expect(JSON.parse(r.body).reason).toMatch(reason);
    expect(origin.seen.length).toBe(before);
  });

  it("accepts a SHA-1-signed client certificate (OpenSSL security level 0)", async () => {
    const r = await get({ cert: pki.sha1, seclevel0: true });
    expect(r.status).toBe(200);
  });

  it("never passes forged certificate headers to the origin; forwards the real ones when enabled", async () => {
    const forged = ["Client-Cert: :Zm9yZ2Vk:", "Client-Cert-Chain: :Zm9yZ2Vk:", "Cf-Client-Cert-Der-Base64: Zm9yZ2Vk", "Cf-Client-Cert-Sha256: 00", "Cf-Access-Jwt-Assertion: forged"];
    let r = await get({ cert: pki.client, headers: forged });
    expect(r.status).toBe(200);
    const h = origin.seen.at(-1)!.headers;
    for (const n of ["client-cert", "client-cert-chain", "cf-client-cert-der-base64", "cf-client-cert-sha256"]) expect(h[n]).toBeUndefined();
    expect(h["cf-access-jwt-assertion"]).not.toBe("forged");

    const s = await updateHostnameSettings(adminActor, { settings: [{ hostname: HOST, client_certificate_forwarding: true, china_network: false }] });
    expect(s.ok).toBe(true);
    await until(async () => {
      await get({ cert: pki.client });
      return origin.seen.at(-1)!.headers["client-cert"] !== undefined;
    }, 5000, "forwarding to take effect");
    const der = Buffer.from(readFileSync(pki.client.cert, "utf8").replace(/-----[^-]+-----|\s/g, ""), "base64");
    // The legacy Cf-Client-Cert-* pair goes with the first request of each connection only. Which connection a request
    // used is curl's to say: it opens a new one when the server closed the previous one (an nginx-engine reload still
    // draining its old workers does), and that request is then a first request again. Runs go on until one reused
    // its connection for /second, and every run is checked against the connections it actually used.
    let reused = false;
    for (let run = 0; run < 5 && !reused; run++) {
      const n = origin.seen.length;
      r = await get({ cert: pki.client, headers: forged, paths: ["/first", "/second"] });
      expect(r.status).toBe(200);
      expect(r.connects[0]).toBe(1);
      const seen = origin.seen.slice(n);
      expect(seen.map((q) => q.url)).toEqual(["/first", "/second"]);
      seen.forEach((req, i) => {
        const first = r.connects[i] > 0;
        expect(req.headers["cf-client-cert-der-base64"], `${req.url}, connects ${r.connects}`).toBe(first ? der.toString("base64") : undefined);
        if (first) expect(req.headers["cf-client-cert-sha256"]).toMatch(/^[0-9a-f]{64}$/);
        else expect(req.headers["cf-client-cert-sha256"]).toBeUndefined();
        expect(req.headers["client-cert"]).toBe(`:${der.toString("base64")}:`);
        // RFC 9440: the chain in TLS order without the root (here: the intermediate alone).
        expect(req.headers["client-cert-chain"]).toBe(`:${pemDer(pki.chainPem).toString("base64")}:`);
        expect(req.headers["cf-access-jwt-assertion"]).not.toBe("forged");
      });
      reused = r.connects[1] === 0;
    }
    expect(reused, "a curl run that reused its connection for the second request").toBe(true);
  });

  it("applies a policy change without a restart", async () => {
    expect((await get({ cert: pki.janeRoe })).status).toBe(403);
    const u = await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "Jane Roe" } }], version: 1 });
    expect(u.ok, JSON.stringify(u)).toBe(true);
    const ms = await until(async () => (await get({ cert: pki.janeRoe })).status === 200, 5000, "the new policy");
    expect(ms).toBeLessThan(3000);
    expect((await get({ cert: pki.client })).status).toBe(403);
  });

  it("writes one access-log row per decision", async () => {
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST, decision: "deny" }, 200);
    const revoked = items.find((i) => /revoked/.test(i.reason ?? ""));
    expect(revoked).toMatchObject({ hostname: HOST, application_name: "Auth portal", client_cn: "John Doe", decision: "deny", ip: "127.0.0.1" });
    expect(revoked?.serial_number).toBeTruthy();
    const allowed = await listAccessLog({ hostname: HOST, decision: "allow" }, 200);
    expect(allowed.items[0]).toMatchObject({ policy_name: "John Doe devices", decision: "allow" });
    const page1 = await listAccessLog({ hostname: HOST }, 3);
    const page2 = await listAccessLog({ hostname: HOST, before: page1.next! }, 3);
    // Newest first by (time, id): a row inserted later may carry an earlier time (rows are inserted once a second,
    // several workers' batches together), so the id alone does not order the pages.
    const key = (i: { at: string; id: number }) => [Date.parse(i.at), i.id] as const;
    const [lastAt, lastId] = key(page1.items[2]);
    const [nextAt, nextId] = key(page2.items[0]);
    expect(nextAt < lastAt || (nextAt === lastAt && nextId < lastId)).toBe(true);
  });
});
