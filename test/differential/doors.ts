/**
 * The differential matrix's doors, each asked "would this request get in?": the gateway over real TLS (curl with the
 * client certificate, SNI and Host = the hostname, and the access log for the deciding policy and application; the
 * SNI/Host cases over node:tls, which sends exactly the SNI and Host given), the tester (`testClientCertificate`, what
 * the Test mTLS page's action and `POST /api/v1/test-mtls` call), `portcullis test` (the real launcher against that
 * API over HTTP) and nginx running the export.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { loadSigner } from "@/lib/gateway/jwt";
import { curl, tlsRequest } from "../integration/gateway-fixtures";
import type { Built, Env } from "./env";
import type { RequestSpec } from "./generate";
import { MANAGED_CA } from "./pki";

const ROOT = path.resolve(__dirname, "../..");
const CLIENT_IP = "127.0.0.1";

/** What a door says, in the terms every door can be compared in. */
/** `unauthenticated`: 401 — service-token credentials refused, or a sign-in needed (the identity cases ask for JSON). */
export type Verdict = "allow" | "block" | "no_application" | "bad_request" | "misdirected" | "unauthenticated" | "error";

export interface DoorAnswer {
  verdict: Verdict;
  policyId: string | null;
  applicationId: string | null;
  detail: string;
}

const ALLOWED = new Set(["allow", "bypass", "service_auth"]);

export function gatewayVerdict(status: number): Verdict {
  return status === 200 ? "allow" : status === 403 ? "block" : status === 404 ? "no_application" : status === 400 ? "bad_request" : status === 421 ? "misdirected" : status === 401 ? "unauthenticated" : "error";
}

export function testerVerdict(access: string): Verdict {
  return ALLOWED.has(access) ? "allow" : access === "block" ? "block" : access === "no_application" ? "no_application" : access === "misdirected" ? "misdirected" : access === "unauthenticated" || access === "sign_in" ? "unauthenticated" : "error";
}

function clientCert(env: Env, req: RequestSpec) {
  if (!req.ca) return null;
  if (req.ca === MANAGED_CA) {
    const leaf = env.managed!.leaves[req.managed!];
    return { files: { cert: leaf.cert, key: leaf.key }, pem: leaf.pem };
  }
  const leaf = req.stolen ? env.pki.cas[req.ca].stolen : env.pki.cas[req.ca].leaves[req.kind];
  return { files: { cert: req.intermediateSent ? leaf.withIntermediate : leaf.cert, key: leaf.key }, pem: req.intermediateSent ? leaf.chainPem : leaf.pem };
}

export const identityCase = (req: RequestSpec) => req.email !== undefined || req.serviceToken !== undefined || req.stolen === true || req.category.startsWith("email_");

/**
 * What an identity case sends besides its certificate: JSON wanted (a needed sign-in is a 401, not a redirect), the
 * session cookie the gateway's sign-in would have set (signed with its key, for the `/staff` application), or the
 * service token's credentials.
 */
async function identityHeaders(env: Env, port: number, req: RequestSpec, b: Built): Promise<string[]> {
  if (!identityCase(req) || !b.identity) return [];
  const h = ["Accept: application/json"];
  if (req.email) {
    const token = await (await loadSigner()).sign({ aud: b.identity.staffAud, iss: `https://${req.hostname}:${port}`, sub: "differential", email: req.email, idp: { id: "differential", type: "oidc" } }, 3600);
    h.push(`Cookie: CF_Authorization=${token}`);
  }
  if (req.serviceToken) {
    const t = b.identity.tokens[req.serviceToken];
    h.push(`CF-Access-Client-Id: ${t.client_id}`, `CF-Access-Client-Secret: ${t.client_secret}`);
  }
  return h;
}

/** The request through a server on `port`: curl (SNI = Host = the hostname), or node:tls for the SNI/Host cases. */
async function send(env: Env, port: number, req: RequestSpec, b?: Built): Promise<number> {
  const cert = clientCert(env, req);
  const headers = b ? await identityHeaders(env, port, req, b) : [];
  // node:tls for the SNI/Host cases: curl cannot send another Host than its URL's name without sending it as SNI too
  if (req.sni !== undefined) return (await tlsRequest({ port, sni: req.sni, host: req.hostname, path: req.path, cert: cert?.files })).status;
  return (await curl({ host: req.hostname, port, cacert: env.cacert, paths: [req.path], cert: cert?.files, seclevel0: req.kind === "sha1", headers })).status;
}

let lastLogId = 0;

/**
 * The gateway's answer and the access-log row it wrote. The nginx engine's cached hits reach the log through nginx's
 * hit log, read every 200 ms, so with `waitForRow` (the node engine logged the same request) its row is waited for, up
 * to 3 s: the next case must not take this one's late row.
 */
export async function viaGateway(env: Env, req: RequestSpec, b: Built, engine: "node" | "nginx" = "node", waitForRow = false): Promise<DoorAnswer> {
  const gw = engine === "nginx" ? env.gwNginx : env.gw;
  if (!gw) throw new Error("the nginx engine is not running");
  const r = { status: await send(env, gw.port, req, b) };
  let fresh: Awaited<ReturnType<typeof listAccessLog>>["items"][number] | null = null;
  for (const deadline = Date.now() + (waitForRow ? 3000 : 0); ; ) {
    await flushAccessLog();
    const row = (await listAccessLog({ hostname: req.hostname }, 1)).items[0];
    fresh = row && row.id > lastLogId ? row : null;
    if (fresh || Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (fresh) lastLogId = fresh.id;
  return { verdict: gatewayVerdict(r.status), policyId: fresh?.policy_id ?? null, applicationId: fresh?.application_id ?? null, detail: `HTTP ${r.status}; log: ${fresh ? `${fresh.decision} ${fresh.policy_name ?? "-"}: ${fresh.reason}` : NO_ROW}` };
}

/** The detail's log part when the gateway wrote no row for the request. */
export const NO_ROW = "no row";

export async function viaNginx(env: Env, port: number, req: RequestSpec): Promise<DoorAnswer> {
  const status = await send(env, port, req);
  return { verdict: gatewayVerdict(status), policyId: null, applicationId: null, detail: `HTTP ${status}` };
}

const urlOf = (req: RequestSpec) => `https://${req.hostname}${req.path}`;

/** The identity case's tester input: the email, the service token (by id), as the API and the CLI take them. */
const identityInput = (req: RequestSpec, b: Built) => ({
  ...(req.email ? { email: req.email } : {}),
  ...(req.serviceToken && b.identity ? { service_token_id: b.identity.tokens[req.serviceToken].id } : {}),
});

export async function viaTester(env: Env, req: RequestSpec, b: Built): Promise<DoorAnswer | string> {
  const cert = clientCert(env, req);
  const extra = identityInput(req, b);
  if (!cert && !Object.keys(extra).length) return "the tester needs a certificate, a service token or an email (no-certificate cases are the gateway's and nginx's only)";
  const r = await testClientCertificate({ url: urlOf(req), ...(cert ? { certificate: cert.pem } : {}), ip: CLIENT_IP, ...(req.sni !== undefined ? { sni: req.sni ?? "" } : {}), ...extra });
  if (!r.ok) return { verdict: r.error.fieldErrors?.url ? "bad_request" : "error", policyId: null, applicationId: null, detail: r.error.message };
  const t = r.value;
  return { verdict: testerVerdict(t.access_decision), policyId: t.policy?.id ?? null, applicationId: t.application?.id ?? null, detail: `${t.access_decision}: ${t.reason}` };
}

export function viaCli(env: Env, req: RequestSpec, b: Built): Promise<DoorAnswer | string> {
  const cert = clientCert(env, req);
  const extra = identityInput(req, b);
  if (!cert && !Object.keys(extra).length) return Promise.resolve("the tester needs a certificate, a service token or an email");
  const file = path.join(env.dir, `cli-${Date.now()}.pem`);
  if (cert) writeFileSync(file, cert.pem);
  const idArgs = [...(extra.email ? ["--email", extra.email] : []), ...(extra.service_token_id ? ["--service-token", extra.service_token_id] : [])];
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [path.join(ROOT, "bin/portcullis.mjs"), "test", "--url", env.apiBase, "--token", env.token, "--target-url", urlOf(req), "--ip", CLIENT_IP, ...(req.sni !== undefined ? [`--sni=${req.sni ?? ""}`] : []), ...idArgs, "--json", ...(cert ? [file] : [])],
      { cwd: ROOT, env: { ...process.env, PORTCULLIS_URL: "", PORTCULLIS_TOKEN: "" }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        try {
          const t = JSON.parse(stdout) as { access_decision: string; policy: { id: string } | null; application: { id: string } | null; reason: string };
          resolve({ verdict: testerVerdict(t.access_decision), policyId: t.policy?.id ?? null, applicationId: t.application?.id ?? null, detail: `exit ${code}; ${t.access_decision}: ${t.reason}` });
        } catch {
          resolve({ verdict: /URL|path/i.test(stderr) && code === 1 ? "bad_request" : "error", policyId: null, applicationId: null, detail: `exit ${code}; ${stderr.trim()}` });
        }
      },
    );
  });
}

