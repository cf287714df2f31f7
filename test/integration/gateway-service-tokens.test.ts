/**
 * Service tokens through the real gateway over TLS (`curl` as the client), in this process and with worker
 * processes: the right Client ID + Secret, a wrong secret, unknown / malformed / missing / repeated headers, an
 * expired, disabled, deleted and rotated token (with and without a grace period). Strict: refused credentials get
 * 401 (never a redirect), a valid token no policy allows gets 403, no CF_Authorization cookie, the headers never
 * reach the origin, the JWT names the token, and every failure is in the access log.
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet, jwtVerify } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createPolicy } from "@/lib/domain/policies";
import { createServiceToken, deleteServiceToken, rotateServiceToken, updateServiceToken, type ServiceTokenWithSecret } from "@/lib/domain/service-tokens";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { curl, startOrigin, tookEffect, until } from "./gateway-fixtures";

const HOST = "api.example.com";
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;
let identityDir: string;
let aud = "";
let tokenA: ServiceTokenWithSecret;
let tokenB: ServiceTokenWithSecret;

const creds = (t: { client_id: string; client_secret: string }) => [`CF-Access-Client-Id: ${t.client_id}`, `CF-Access-Client-Secret: ${t.client_secret}`];
const JSON_ACCEPT = "Accept: application/json";

async function token(name: string, duration?: string): Promise<ServiceTokenWithSecret> {
  const r = await createServiceToken(adminActor, { name, ...(duration ? { duration } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

function client(port: () => number) {
  return (headers: string[], p = "/") => curl({ host: HOST, port: port(), cacert, headers: [JSON_ACCEPT, ...headers], paths: [p] });
}

beforeAll(async () => {
  origin = await startOrigin();
  tokenA = await token("deploy bot");
  tokenB = await token("metrics scraper");
  const only = await createPolicy(adminActor, { name: "deploy bot only", decision: "non_identity", include: [{ service_token: { token_id: tokenA.id } }] });
  const any = await createPolicy(adminActor, { name: "any token", decision: "non_identity", include: [{ any_valid_service_token: {} }] });
  if (!only.ok || !any.ok) throw new Error("policies");
  const app = await createApplication(adminActor, { name: "Deploy API", domain: HOST, session_duration: "1h", policies: [only.value.id], origin_url: origin.url });
  const anyApp = await createApplication(adminActor, { name: "Any token API", domain: `${HOST}/any`, session_duration: "1h", policies: [any.value.id], origin_url: origin.url });
  if (!app.ok || !anyApp.ok) throw new Error("applications");
  aud = app.value.aud;
  identityDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-st-"));
  const identity = loadServerCert({ dir: identityDir, hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

const get = client(() => gw.port);

describe("service tokens at the gateway (one process)", () => {
  it("the right Client ID and Secret get in: no client headers reach the origin, no cookie, a JWT with common_name = Client ID", async () => {
    const n = origin.seen.length;
    const r = await get(creds(tokenA), "/deploy?x=1");
    expect(r.status).toBe(200);
    expect(r.body).toBe("origin ok");
    expect(r.headers).not.toMatch(/^set-cookie: CF_Authorization=/im);
    const seen = origin.seen.slice(n);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe("/deploy?x=1");
    expect(seen[0].headers["cf-access-client-id"]).toBeUndefined();
    expect(seen[0].headers["cf-access-client-secret"]).toBeUndefined();
    const jwks = JSON.parse((await curl({ host: HOST, port: gw.port, cacert, paths: ["/cdn-cgi/access/certs"] })).body);
    const { payload } = await jwtVerify(String(seen[0].headers["cf-access-jwt-assertion"]), createLocalJWKSet(jwks), { audience: aud, issuer: `https://${HOST}:${gw.port}` });
    expect(payload.common_name).toBe(tokenA.client_id);
    expect(payload.sub).toBe("");
  });

  it.each([
    ["a wrong secret", () => [`CF-Access-Client-Id: ${tokenA.client_id}`, `CF-Access-Client-Secret: ${"0".repeat(64)}`]],
    ["another token's secret", () => [`CF-Access-Client-Id: ${tokenA.client_id}`, `CF-Access-Client-Secret: ${tokenB.client_secret}`]],
    ["an unknown Client ID", () => [`CF-Access-Client-Id: ${"ab".repeat(16)}.access`, `CF-Access-Client-Secret: ${tokenA.client_secret}`]],
    ["a malformed Client ID", () => ["CF-Access-Client-Id: deploy-bot", `CF-Access-Client-Secret: ${tokenA.client_secret}`]],
    ["the Client ID alone", () => [`CF-Access-Client-Id: ${tokenA.client_id}`]],
    ["the secret alone", () => [`CF-Access-Client-Secret: ${tokenA.client_secret}`]],
    ["the Client ID twice", () => [...creds(tokenA), `CF-Access-Client-Id: ${tokenB.client_id}`]],
    ["an empty secret", () => [`CF-Access-Client-Id: ${tokenA.client_id}`, "CF-Access-Client-Secret;"]],
  ])("refuses %s with 401 (JSON, no reason given away, nothing proxied)", async (_label, headers) => {
    const n = origin.seen.length;
    const r = await get(headers());
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ success: false, status: 401, error: "Unauthorized", reason: null, hostname: HOST });
    expect(r.headers).not.toMatch(/^(location|set-cookie):/im);
    expect(origin.seen.length).toBe(n);
  });

  it("a browser gets a 401 page, never a redirect to sign-in", async () => {
    const r = await curl({ host: HOST, port: gw.port, cacert, headers: ["Accept: text/html", `CF-Access-Client-Id: ${tokenA.client_id}`, "CF-Access-Client-Secret: nope"] });
    expect(r.status).toBe(401);
    expect(r.body).toMatch(/<h1>Unauthorized<\/h1>/);
    expect(r.headers).not.toMatch(/^location:/im);
  });

  it("a valid token no policy allows gets 403; Any Access Service Token lets it in; no credentials at all stay 403", async () => {
    expect((await get(creds(tokenB))).status).toBe(403);
    expect((await get(creds(tokenB), "/any/metrics")).status).toBe(200);
    expect((await get(creds(tokenA), "/any/metrics")).status).toBe(200);
    expect((await get([])).status).toBe(403);
    expect((await get([], "/any")).status).toBe(403);
  });

  it("an expired token gets 401 (checked at the request time, no reload needed), and says so to its holder", async () => {
    const t = await token("short-lived", "3s");
    const ms = await until(async () => (await get(creds(t), "/any")).status === 200, 3000, "the new token");
    expect(ms).toBeLessThan(2000);
    await until(async () => (await get(creds(t), "/any")).status === 401, 8000, "the token to expire");
    expect(JSON.parse((await get(creds(t), "/any")).body).reason).toMatch(/^service token "short-lived" expired on /);
  });

  it("a disabled token gets 401 within a second; enabled again it works", async () => {
    const t = await token("toggled");
    expect((await get(creds(t), "/any")).status).toBe(200);
    expect((await updateServiceToken(adminActor, t.id, { enabled: false })).ok).toBe(true);
    expect(await tookEffect(Date.now(), async () => (await get(creds(t), "/any")).status === 401, "disable")).toBeLessThan(1000);
    expect(JSON.parse((await get(creds(t), "/any")).body).reason).toBe('service token "toggled" is disabled');
    expect((await updateServiceToken(adminActor, t.id, { enabled: true })).ok).toBe(true);
    expect(await tookEffect(Date.now(), async () => (await get(creds(t), "/any")).status === 200, "enable")).toBeLessThan(1000);
  });

  it("a deleted token gets 401 within a second", async () => {
    const t = await token("to delete");
    expect((await get(creds(t), "/any")).status).toBe(200);
    expect((await deleteServiceToken(adminActor, t.id)).ok).toBe(true);
    expect(await tookEffect(Date.now(), async () => (await get(creds(t), "/any")).status === 401, "delete")).toBeLessThan(1000);
  });

  it("rotated without a grace period: the old secret gets 401 at once, the new one gets in", async () => {
    const t = await token("rotate now");
    expect((await get(creds(t), "/any")).status).toBe(200);
    const r = await rotateServiceToken(adminActor, t.id, {});
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    expect(await tookEffect(Date.now(), async () => (await get(creds(t), "/any")).status === 401, "the old secret to stop")).toBeLessThan(1000);
    // Its hash is gone: to the gateway it is just a wrong secret now, and the client is not told more.
    expect(JSON.parse((await get(creds(t), "/any")).body).reason).toBeNull();
    expect((await get(creds(r.value), "/any")).status).toBe(200);
  });

  it("rotated with a grace period: both secrets work until it ends", async () => {
    const t = await token("rotate later");
    const r = await rotateServiceToken(adminActor, t.id, { grace_hours: 1 });
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    await until(async () => (await get(creds(r.value), "/any")).status === 200, 5000, "the new secret");
    expect((await get(creds(t), "/any")).status).toBe(200);
    expect((await updateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: null })).ok).toBe(true);
    expect(await tookEffect(Date.now(), async () => (await get(creds(t), "/any")).status === 401, "the grace period to end")).toBeLessThan(1000);
    expect((await get(creds(r.value), "/any")).status).toBe(200);

    // A grace period that runs out by itself (checked at the request time): the holder is told the secret was rotated.
    const again = await rotateServiceToken(adminActor, t.id, { previous_client_secret_expires_at: new Date(Date.now() + 2500).toISOString() });
    if (!again.ok) throw new Error(JSON.stringify(again.error));
    await until(async () => (await get(creds(again.value), "/any")).status === 200, 5000, "the newest secret");
    await until(async () => (await get(creds(r.value), "/any")).status === 401, 8000, "the grace period to run out");
    expect(JSON.parse((await get(creds(r.value), "/any")).body).reason).toMatch(/^the Client Secret of service token "rotate later" was rotated and the previous one is no longer accepted since /);
  });

  it("logs every refusal and every token request, naming the token", async () => {
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST }, 500);
    const refused = items.filter((i) => /^Service token refused: /.test(i.reason ?? ""));
    expect(refused.length).toBeGreaterThanOrEqual(10);
    expect(refused.map((i) => i.reason)).toEqual(
      expect.arrayContaining([
        `Service token refused: wrong Client Secret for service token "deploy bot" [service token "deploy bot", ${tokenA.client_id}]`,
        "Service token refused: no service token has this Client ID",
        expect.stringMatching(/^Service token refused: ambiguous credentials: CF-Access-Client-Id and CF-Access-Client-Secret must be sent together/),
        expect.stringMatching(/^Service token refused: ambiguous credentials: the cf-access-client-id header was sent 2 times/),
      ]),
    );
    expect(refused.every((i) => i.decision === "deny" && i.application_name !== null)).toBe(true);
    expect(items.find((i) => i.decision === "allow" && i.application_name === "Deploy API")?.reason).toBe(`Allowed by Service Auth policy "deploy bot only" [service token "deploy bot", ${tokenA.client_id}]`);
    expect(items.find((i) => i.decision === "deny" && i.policy_name === null && /Denied by default/.test(i.reason ?? "") && i.reason!.includes("metrics scraper"))).toBeTruthy();
  });
});

describe("service tokens at the gateway (worker processes)", () => {
  let workers: Gateway;
  const wget = client(() => workers.port);

  beforeAll(async () => {
    const identity = loadServerCert({ dir: identityDir, hostnames: [HOST] });
    workers = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
  }, 180_000);
  afterAll(async () => {
    await workers?.close();
  });

  it("workers get the tokens from the primary: right / wrong secret, and a rotation reaches every worker within a second", async () => {
    const t = await token("worker token");
    for (let i = 0; i < 4; i++) {
      expect((await wget(creds(t), "/any")).status).toBe(200);
      expect((await wget([`CF-Access-Client-Id: ${t.client_id}`, `CF-Access-Client-Secret: ${"f".repeat(64)}`], "/any")).status).toBe(401);
    }
    const r = await rotateServiceToken(adminActor, t.id, {});
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const ms = await tookEffect(Date.now(), async () => {
      // Several connections, so both workers answer.
      const old = await Promise.all([0, 1, 2, 3].map(() => wget(creds(t), "/any")));
      return old.every((x) => x.status === 401);
    }, "every worker to refuse the old secret");
    expect(ms).toBeLessThan(1000);
    for (let i = 0; i < 4; i++) expect((await wget(creds(r.value), "/any")).status).toBe(200);
  });
});
