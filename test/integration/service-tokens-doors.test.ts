/**
 * Service tokens through every door that decides: the real gateway over TLS (curl with a client certificate and the
 * CF-Access-Client-Id / -Secret headers), the tester (`testClientCertificate` with `service_token_id`, "as if
 * presented") and `portcullis test --service-token` (the real launcher against POST /api/v1/test-mtls over HTTP).
 * They must agree on the outcome for each case, including mTLS as a second factor (a Service Auth policy naming the
 * token and requiring a valid certificate) and tokens the gateway refuses (disabled, expired: 401).
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { explainAccessLogEntry } from "@/lib/domain/access-log/explain";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { createServiceToken, updateServiceToken, type ServiceTokenWithSecret } from "@/lib/domain/service-tokens";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { cliAccessDecision, startTestMtlsApi, type TestMtlsApi } from "./doors-fixtures";
import { curl, generateGatewayPki, startOrigin, until, type ClientCert, type GatewayPki } from "./gateway-fixtures";

const HOST = "svc-mtls.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let api: TestMtlsApi;
let cacert = "";
const tokens: Record<"a" | "b" | "disabled" | "expiring", ServiceTokenWithSecret> = {} as never;

async function token(name: string, duration?: string): Promise<ServiceTokenWithSecret> {
  const r = await createServiceToken(adminActor, { name, ...(duration ? { duration } : {}) });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  const cert = await createCertificate(adminActor, { name: "svc chain", certificate: pki.chainPem, associated_hostnames: [HOST] });
  if (!cert.ok) throw new Error(JSON.stringify(cert.error));
  tokens.a = await token("a");
  tokens.b = await token("b");
  tokens.disabled = await token("disabled");
  tokens.expiring = await token("expiring", "4s");
  if (!(await updateServiceToken(adminActor, tokens.disabled.id, { enabled: false })).ok) throw new Error("disable");
  // mTLS as a second factor: this token, and a valid client certificate.
  const both = await createPolicy(adminActor, { name: "a with a device", decision: "non_identity", include: [{ service_token: { token_id: tokens.a.id } }], require: [{ certificate: {} }] });
  const any = await createPolicy(adminActor, { name: "any token", decision: "non_identity", include: [{ any_valid_service_token: {} }] });
  if (!both.ok || !any.ok) throw new Error("policies");
  for (const [name, domain, policy] of [["Both", HOST, both.value.id], ["Any", `${HOST}/any`, any.value.id]] as const) {
    const app = await createApplication(adminActor, { name, domain, session_duration: "1h", policies: [policy], origin_url: origin.url });
    if (!app.ok) throw new Error(JSON.stringify(app.error));
  }
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-st-doors-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
  api = await startTestMtlsApi("doors@example.com");
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await origin?.close();
  await api?.close();
});

type Outcome = "service_auth" | "block" | "unauthenticated";
const STATUS: Record<Outcome, number> = { service_auth: 200, block: 403, unauthenticated: 401 };

async function viaGateway(p: string, cert: ClientCert | null, t: ServiceTokenWithSecret): Promise<number> {
  const r = await curl({ host: HOST, port: gw.port, cacert, ...(cert ? { cert } : {}), paths: [p], headers: [`CF-Access-Client-Id: ${t.client_id}`, `CF-Access-Client-Secret: ${t.client_secret}`, "Accept: application/json"] });
  return r.status;
}

async function viaTester(p: string, cert: ClientCert | null, t: ServiceTokenWithSecret, by: "id" | "client_id"): Promise<string> {
  const r = await testClientCertificate({ url: `https://${HOST}${p}`, ...(cert ? { certificate: readFileSync(cert.cert, "utf8") } : {}), service_token_id: by === "id" ? t.id : t.client_id });
  if (!r.ok) throw new Error(r.error.message);
  return r.value.access_decision;
}

const viaCli = (p: string, cert: ClientCert | null, t: ServiceTokenWithSecret) => cliAccessDecision(api, ["--target-url", `https://${HOST}${p}`, "--service-token", t.client_id], cert ? cert.cert : null);

describe("service tokens: the gateway, the tester and portcullis test agree", () => {
  const cases: [string, string, keyof GatewayPki & ("client" | "wrongCa"), keyof typeof tokens, Outcome][] = [
    ["the named token with a valid device certificate", "/", "client", "a", "service_auth"],
    ["the named token with a certificate from another CA (second factor missing)", "/", "wrongCa", "a", "block"],
    ["another valid token where only the named one is allowed", "/", "client", "b", "block"],
    ["any valid token where any is allowed", "/any/x", "client", "b", "service_auth"],
    ["a disabled token", "/any", "client", "disabled", "unauthenticated"],
  ];
  it.each(cases)("%s", async (_label, p, certName, tokenName, expected) => {
    const cert = pki[certName] as ClientCert;
    const t = tokens[tokenName];
    expect(await viaGateway(p, cert, t)).toBe(STATUS[expected]);
    expect(await viaTester(p, cert, t, "id")).toBe(expected);
    expect(await viaTester(p, cert, t, "client_id")).toBe(expected);
    expect(await viaCli(p, cert, t)).toBe(expected);
  });

  // A service that sends no client certificate at all: the tester, the API and the CLI take no certificate either.
  const bare: [string, string, keyof typeof tokens, Outcome][] = [
    ["any valid token where any is allowed, no certificate", "/any/x", "b", "service_auth"],
    ["the named token without the device certificate its policy requires", "/", "a", "block"],
    ["a disabled token, no certificate", "/any", "disabled", "unauthenticated"],
  ];
  it.each(bare)("%s", async (_label, p, tokenName, expected) => {
    const t = tokens[tokenName];
    expect(await viaGateway(p, null, t)).toBe(STATUS[expected]);
    expect(await viaTester(p, null, t, "id")).toBe(expected);
    expect(await viaCli(p, null, t)).toBe(expected);
  });

  it("without a certificate, the tester says none was presented; with neither a certificate, a token nor an email it asks for a certificate", async () => {
    const r = await testClientCertificate({ url: `https://${HOST}/any`, service_token_id: tokens.b.id });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.certificate).toEqual({ valid: false, errors: [], leaf: null });
    expect(r.value.steps[0]).toMatchObject({ id: "certificate", status: "skip", label: "Client certificate" });
    expect(r.value.chain).toEqual([]);
    const none = await testClientCertificate({ url: `https://${HOST}/any`, certificate: "  " });
    expect(none).toMatchObject({ ok: false, error: { fieldErrors: { certificate: [expect.stringMatching(/^Client certificate is required/)] } } });
    expect(await cliAccessDecision(api, ["--target-url", `https://${HOST}/any`], null)).toMatch(/^no JSON: .*give a certificate file \(CERT\), or test --service-token or --email without one/);
  });

  it("Explain replays a token-only request (no certificate) with its token", async () => {
    expect(await viaGateway("/any/bare", null, tokens.b)).toBe(200);
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST, decision: "allow" }, 50);
    const row = items.find((i) => i.path === "/any/bare");
    expect(row?.chain_sha256).toEqual([]);
    const r = await explainAccessLogEntry(String(row!.id));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.prefill).not.toHaveProperty("certificate");
    expect(r.value.today).toMatchObject({ ok: true, decision: "allow", policyName: "any token" });
  });

  it("an expired token (a 4-second duration): 401 at the gateway once it expires; the tester says the same for a time after its expiry", async () => {
    const t = tokens.expiring;
    const later = new Date(Date.now() + 60_000).toISOString();
    const r = await testClientCertificate({ url: `https://${HOST}/any`, certificate: readFileSync(pki.client.cert, "utf8"), service_token_id: t.id, at: later });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value).toMatchObject({ access_decision: "unauthenticated", decision: "deny", service_token: { id: t.id, valid: false } });
    expect(r.value.reason).toMatch(/^Service token refused: service token "expiring" expired on /);
    expect(r.value.steps.find((s) => s.id === "service_token")).toMatchObject({ status: "fail" });
    await until(async () => (await viaGateway("/any", pki.client, t)) === 401, 10_000, "the token to expire at the gateway");
  });

  it("the tester tells the origin's identity as the gateway's JWT does (common_name = Client ID), and refuses an unknown token by field", async () => {
    const r = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(pki.client.cert, "utf8"), service_token_id: tokens.a.client_id });
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.identity).toEqual({ common_name: tokens.a.client_id, sub: "" });
    expect(r.value.steps.find((s) => s.id === "service_token")).toMatchObject({ status: "pass", label: 'Service token: a' });
    const unknown = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(pki.client.cert, "utf8"), service_token_id: `${"0".repeat(32)}.access` });
    expect(unknown).toMatchObject({ ok: false, error: { kind: "validation", fieldErrors: { service_token_id: [expect.stringMatching(/^No service token has this ID or Client ID/)] } } });
  });

  it("Explain replays a logged service-token request with its token: the prefill names it and today's decision is the gateway's", async () => {
    expect(await viaGateway("/", pki.client, tokens.a)).toBe(200);
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST, decision: "allow" }, 50);
    const row = items.find((i) => i.reason?.endsWith(`[service token "a", ${tokens.a.client_id}]`));
    expect(row, JSON.stringify(items.map((i) => i.reason))).toBeTruthy();
    const r = await explainAccessLogEntry(String(row!.id));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.prefill.serviceToken).toBe(tokens.a.client_id);
    expect(r.value.today).toMatchObject({ ok: true, decision: "allow", policyName: "a with a device" });
  });
});
