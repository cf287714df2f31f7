/**
 * The gateway and OpenID provider that the sign-in suites (./gateway-identity.test.ts,
 * ./gateway-identity-login.test.ts) share: importing this module registers the hooks that start them for the test
 * file, on the file's own database — Wiki (example.com emails and a valid client certificate) and Docs (example.com
 * emails), the Corporate login method, a recording origin — and gives the helpers that browse them.
 */
import { readFileSync } from "node:fs";
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createLocalJWKSet } from "jose";
import { afterAll, beforeAll } from "vitest";
import { createApplication, type ApplicationDto } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createLoginMethod, type LoginMethodDto } from "@/lib/domain/login-methods";
import { createPolicy } from "@/lib/domain/policies";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { startIdp, type IdpAccount, type TestIdp } from "../helpers/oidc-provider";
import { generateGatewayPki, startOrigin, type GatewayPki } from "./gateway-fixtures";
import { gatewayGet, signInAt, type Jar } from "./identity-fixtures";

export const WIKI = "wiki.example.com"; // Allow: Emails ending in @example.com AND Valid Certificate (mTLS as a second factor)
export const DOCS = "docs.example.com"; // Allow: Emails ending in @example.com; two login methods (the chooser)
const KEY = Buffer.alloc(32, 5).toString("base64");

export let pki: GatewayPki;
export let origin: Awaited<ReturnType<typeof startOrigin>>;
export let gw: Gateway;
export let ca: string;
/** The worker-process case points `request` at its own gateway's certificate for a while. */
export const setCa = (v: string) => (ca = v);
export let idp: TestIdp;
export let wiki: ApplicationDto;
export let docs: ApplicationDto;
export let corporate: LoginMethodDto;
export let device: { cert: string; key: string };

export const gwc = () => ({ port: gw.port, ca });
export const request = (port: number, url: string, opts: Parameters<typeof gatewayGet>[2] = {}) => gatewayGet({ port, ca }, url, opts);
export const base = (host: string) => `https://${host}:${gw.port}`;

/** A browser visit that signs in at `host` (see identity-fixtures `signInAt`). */
export function signIn(host: string, account: IdpAccount, opts: { jar: Jar; path?: string; cert?: { cert: string; key: string }; idp?: string }) {
  return signInAt(gwc(), idp, `${base(host)}${opts.path ?? "/"}`, account, opts);
}

export async function jwks() {
  return createLocalJWKSet(JSON.parse((await request(gw.port, `${base(WIKI)}/cdn-cgi/access/certs`, { accept: "application/json" })).body));
}

beforeAll(async () => {
  process.env.PORTCULLIS_SECRET_KEY = KEY;
  pki = generateGatewayPki();
  device = { cert: readFileSync(pki.client.cert, "utf8"), key: readFileSync(pki.client.key, "utf8") };
  origin = await startOrigin();
  const cert = await createCertificate(adminActor, { name: "Devices", certificate: pki.chainPem, associated_hostnames: [WIKI] });
  if (!cert.ok) throw new Error(cert.error.message);
  const people = await createPolicy(adminActor, { name: "example.com people", decision: "allow", include: [{ email_domain: { domain: "example.com" } }] });
  const withDevice = await createPolicy(adminActor, {
    name: "example.com people on a company device",
    decision: "allow",
    include: [{ email_domain: { domain: "example.com" } }],
    require: [{ certificate: {} }],
  });
  if (!people.ok || !withDevice.ok) throw new Error("policies");
  const w = await createApplication(adminActor, { name: "Wiki", domain: WIKI, session_duration: "1h", policies: [withDevice.value.id], origin_url: origin.url });
  const d = await createApplication(adminActor, { name: "Docs", domain: DOCS, session_duration: "1h", policies: [people.value.id], origin_url: origin.url });
  if (!w.ok || !d.ok) throw new Error(!w.ok ? w.error.message : !d.ok ? d.error.message : "");
  wiki = w.value;
  docs = d.value;
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-idp-")), hostnames: [WIKI, DOCS] });
  ca = identity.cert;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
  idp = await startIdp([WIKI, DOCS].map((h) => `${base(h)}/cdn-cgi/access/callback`));
  const m = await createLoginMethod(adminActor, { name: "Corporate", issuer_url: idp.issuer, client_id: idp.clientId, client_secret: idp.clientSecret });
  if (!m.ok) throw new Error(m.error.message);
  corporate = m.value;
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await idp?.close();
  await origin?.close();
  delete process.env.PORTCULLIS_SECRET_KEY;
});
