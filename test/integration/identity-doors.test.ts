/**
 * mTLS as a second factor through every door that decides: the real gateway over TLS after a real sign-in (oidc-provider
 * on loopback), the tester (`testClientCertificate` with `email`, "as if signed in as") and `portcullis test --email`
 * (the real launcher against POST /api/v1/test-mtls over HTTP). An Allow policy with Include Emails ending in
 * @example.com and Require Valid Certificate: they must agree on every case, and the trace shows both checks.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SIGN_IN_REASON } from "@/lib/access";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { explainAccessLogEntry } from "@/lib/domain/access-log/explain";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createLoginMethod } from "@/lib/domain/login-methods";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { startIdp, type TestIdp } from "../helpers/oidc-provider";
import { cliAccessDecision, startTestMtlsApi, type TestMtlsApi } from "./doors-fixtures";
import { generateGatewayPki, startOrigin, type ClientCert, type GatewayPki } from "./gateway-fixtures";
import { gatewayGet, Jar, signInAt } from "./identity-fixtures";

const HOST = "idp-mtls.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let idp: TestIdp;
let ca = "";
let api: TestMtlsApi;
let policyId = "";

const pem = (c: ClientCert) => ({ cert: readFileSync(c.cert, "utf8"), key: readFileSync(c.key, "utf8") });

beforeAll(async () => {
  process.env.PORTCULLIS_SECRET_KEY = Buffer.alloc(32, 6).toString("base64");
  pki = generateGatewayPki();
  origin = await startOrigin();
  const cert = await createCertificate(adminActor, { name: "devices", certificate: pki.chainPem, associated_hostnames: [HOST] });
  if (!cert.ok) throw new Error(JSON.stringify(cert.error));
  const p = await createPolicy(adminActor, {
    name: "example.com on a device",
    decision: "allow",
    include: [{ email_domain: { domain: "example.com" } }],
    require: [{ certificate: {} }],
  });
  if (!p.ok) throw new Error(JSON.stringify(p.error));
  policyId = p.value.id;
  const app = await createApplication(adminActor, { name: "Intranet", domain: HOST, session_duration: "1h", policies: [policyId], origin_url: origin.url });
  if (!app.ok) throw new Error(JSON.stringify(app.error));
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-idp-doors-")), hostnames: [HOST] });
  ca = identity.cert;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
  idp = await startIdp(`https://${HOST}:${gw.port}/cdn-cgi/access/callback`);
  const m = await createLoginMethod(adminActor, { name: "Corporate", issuer_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret });
  if (!m.ok) throw new Error(m.error.message);
  api = await startTestMtlsApi("doors@example.com");
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  await origin?.close();
  await api?.close();
  delete process.env.PORTCULLIS_SECRET_KEY;
});

type Outcome = "allow" | "block" | "sign_in";
const STATUS: Record<Outcome, number> = { allow: 200, block: 403, sign_in: 401 };

/** The gateway after a real sign-in as `email` (none: no session), the device certificate `cert`, as an API client. */
async function viaGateway(email: string | null, cert: ClientCert): Promise<number> {
  const g = { port: gw.port, ca };
  const url = `https://${HOST}:${gw.port}/`;
  const jar = new Jar();
  if (email) {
    const { callback } = await signInAt(g, idp, url, { sub: `sub-${email}`, email, email_verified: true }, { jar, cert: pem(cert) });
    if (callback.status !== 302) throw new Error(`sign-in failed: ${callback.status} ${callback.body.slice(0, 200)}`);
  }
  return (await gatewayGet(g, url, { jar, cert: pem(cert), accept: "application/json" })).status;
}

async function viaTester(email: string | null, cert: ClientCert) {
  const r = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(cert.cert, "utf8"), ...(email ? { email } : {}) });
  if (!r.ok) throw new Error(r.error.message);
  return r.value;
}

const viaCli = (email: string | null, cert: ClientCert) => cliAccessDecision(api, ["--target-url", `https://${HOST}/`, ...(email ? ["--email", email] : [])], cert.cert);

describe("mTLS as a second factor: the gateway, the tester and portcullis test agree", () => {
  const cases: [string, string | null, "client" | "wrongCa", Outcome][] = [
    ["signed in at example.com with a valid device certificate", "alice@example.com", "client", "allow"],
    ["signed in at example.com with a certificate from another CA", "alice@example.com", "wrongCa", "block"],
    ["signed in outside example.com with a valid device certificate", "eve@elsewhere.org", "client", "block"],
    ["not signed in, with a valid device certificate", null, "client", "sign_in"],
  ];
  it.each(cases)("%s", async (_label, email, certName, expected) => {
    const cert = pki[certName] as ClientCert;
    expect(await viaGateway(email, cert)).toBe(STATUS[expected]);
    expect((await viaTester(email, cert)).access_decision).toBe(expected);
    expect(await viaCli(email, cert)).toBe(expected);
  });

  it("the trace shows both checks: the email rule and the certificate rule", async () => {
    const ok = await viaTester("Alice@Example.com", pki.client);
    expect(ok).toMatchObject({ decision: "allow", access_decision: "allow", email: "alice@example.com", policy: { id: policyId } });
    expect(ok.steps.find((s) => s.id === "identity")).toMatchObject({ status: "pass", label: "Signed in as alice@example.com" });
    expect(ok.steps.find((s) => s.id === `rule:${policyId}:include:0`)).toMatchObject({ status: "pass", detail: expect.stringMatching(/alice@example\.com ends in @example\.com/) });
    expect(ok.steps.find((s) => s.id === `rule:${policyId}:require:0`)).toMatchObject({ status: "pass" });

    const noDevice = await viaTester("alice@example.com", pki.wrongCa);
    expect(noDevice.steps.find((s) => s.id === `rule:${policyId}:include:0`)).toMatchObject({ status: "pass" });
    expect(noDevice.steps.find((s) => s.id === `rule:${policyId}:require:0`)).toMatchObject({ status: "fail" });

    const none = await viaTester(null, pki.client);
    expect(none).toMatchObject({ decision: "deny", access_decision: "sign_in", reason: SIGN_IN_REASON, policy: null });
    expect(none.steps.find((s) => s.id === "identity")).toMatchObject({ status: "fail", label: "Signed-in identity" });

    const bad = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(pki.client.cert, "utf8"), email: "not an email" });
    expect(bad).toMatchObject({ ok: false, error: { kind: "validation", fieldErrors: { email: ["Email must be an email address such as someone@example.com"] } } });
  });

  it("the access log's Explain replays a signed-in request with its email, and today's decision agrees", async () => {
    expect(await viaGateway("explained@example.com", pki.client)).toBe(200);
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST });
    const row = items.find((r) => r.reason?.endsWith("[signed in as explained@example.com]"));
    expect(row?.decision).toBe("allow");
    const r = await explainAccessLogEntry(String(row!.id));
    if (!r.ok) throw new Error(r.error.message);
    expect(r.value.prefill.email).toBe("explained@example.com");
    expect(r.value.today).toMatchObject({ ok: true, decision: "allow", policyName: "example.com on a device" });
  });
});
