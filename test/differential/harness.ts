/**
 * The differential harness: every generated case goes through every door that answers "would this request get
 * in?" and the answers are compared.
 *
 * - the gateway, over real TLS: `curl` with the client certificate (SNI and Host = the hostname), an origin that
 *   records what reached it, and the access log for the deciding policy and application; the SNI/Host cases
 *   (a TLS server name other than the Host, or none) over node:tls, which sends exactly the SNI and Host given;
 * - the tester (`testClientCertificate` with `url` and the client IP, what the Test mTLS page's action calls; for
 *   the SNI/Host cases with `sni` too, the input `POST /api/v1/test-mtls` and `portcullis test --sni` accept: the
 *   page has no SNI field, so those cases are the API's and the CLI's);
 * - `portcullis test` (the real launcher against POST /api/v1/test-mtls served over HTTP), for a sample of cases
 *   (spawning the CLI costs seconds);
 * - nginx running the export, where nginx can express the configuration.
 *
 * A configuration is built through lib/domain (certificates, policies, applications) and torn down after its cases.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { POST } from "@/app/api/v1/test-mtls/route";
import { createApiToken } from "@/lib/domain/api-tokens";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createApplication, deleteApplication } from "@/lib/domain/applications";
import { createCertificate, deleteCertificate } from "@/lib/domain/certificates";
import { blockCertificate, unblockCertificate } from "@/lib/domain/blocked-certificates";
import { createPolicy, deletePolicy } from "@/lib/domain/policies";
import { createServiceToken, deleteServiceToken, updateServiceToken, type ServiceTokenWithSecret } from "@/lib/domain/service-tokens";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createFirstAdmin } from "@/lib/domain/users";
import { buildNginxExport } from "@/lib/export/nginx";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { loadSigner } from "@/lib/gateway/jwt";
import { adminActor } from "../helpers/actors";
import { freePort } from "../helpers/server";
import { curl, startOrigin, tlsRequest } from "../integration/gateway-fixtures";
import { runNginx } from "../integration/nginx-fixtures";
import { addSniHosts, generateConfig, generateRequest, generateSniRequest, rng, type ConfigSpec, type RequestSpec } from "./generate";
import { addIdentityApps, generateIdentityRequest, GOOD_TOKEN } from "./identity";
import { generateMatrixPki, type MatrixPki } from "./pki";

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

export interface Disagreement {
  seed: number;
  config: ConfigSpec;
  request: RequestSpec;
  answers: Record<string, DoorAnswer | string>;
  why: string;
}

export interface MatrixReport {
  seed: number;
  cases: number;
  categories: Record<string, number>;
  /** per door: cases compared */
  compared: Record<string, number>;
  /** per door and reason: cases not compared */
  skipped: Record<string, number>;
  disagreements: Disagreement[];
  /** the SNI/Host cases: how many, how many the gateway answered 421, and per door how many were compared */
  sni: Record<string, number>;
  /** wall-clock milliseconds per door and for setup */
  ms: Record<string, number>;
  /** the identity cases: the gateway's verdicts per category (so a test can check they were decided, not errors) */
  identity: Record<string, Verdict[]>;
}

const ALLOWED = new Set(["allow", "bypass", "service_auth"]);

export function gatewayVerdict(status: number): Verdict {
  return status === 200 ? "allow" : status === 403 ? "block" : status === 404 ? "no_application" : status === 400 ? "bad_request" : status === 421 ? "misdirected" : status === 401 ? "unauthenticated" : "error";
}

function testerVerdict(access: string): Verdict {
  return ALLOWED.has(access) ? "allow" : access === "block" ? "block" : access === "no_application" ? "no_application" : access === "misdirected" ? "misdirected" : access === "unauthenticated" || access === "sign_in" ? "unauthenticated" : "error";
}

export interface MatrixOptions {
  seed: number;
  configs: number;
  requestsPerConfig: number;
  /** SNI/Host cases per configuration, after its other cases (their own random stream: the other cases stay the same) */
  sniRequestsPerConfig?: number;
  /** identity cases per configuration (./identity: email, service token, blocked certificate), after the SNI/Host ones */
  identityRequestsPerConfig?: number;
  /** run `portcullis test` for one case in every `cliEvery` (0 = never) */
  cliEvery: number;
  /** the nginx binary, or null to leave nginx out (the report says so) */
  nginx: string | null;
  log?: (line: string) => void;
}

interface Env {
  pki: MatrixPki;
  origin: Awaited<ReturnType<typeof startOrigin>>;
  gw: Gateway;
  cacert: string;
  serverKey: string;
  api: Server;
  apiBase: string;
  token: string;
  dir: string;
}

async function startEnv(hostnames: string[]): Promise<Env> {
  const pki = generateMatrixPki();
  const origin = await startOrigin();
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-diff-"));
  const identity = loadServerCert({ dir: path.join(dir, "tls"), hostnames });
  const gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
  const u = await createFirstAdmin({ email: "diff-admin@test.example", name: "Diff", password: "diff-admin-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const actor = { type: "user" as const, id: u.value.id, label: u.value.email, role: "admin" as const, permission: "edit" as const };
  const t = await createApiToken(actor, { name: "differential", permission: "read" });
  if (!t.ok) throw new Error(t.error.message);
  // POST /api/v1/test-mtls behind a real HTTP server, as `next start` serves it, for `portcullis test`.
  const api = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const headers = new Headers();
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    if (url.pathname !== "/api/v1/test-mtls") {
      res.writeHead(404).end();
      return;
    }
    const out = await POST(new Request(url, { method: req.method, headers, body: req.method === "POST" ? Buffer.concat(chunks) : undefined }), { params: Promise.resolve({}) });
    res.writeHead(out.status, Object.fromEntries(out.headers));
    res.end(Buffer.from(await out.arrayBuffer()));
  });
  await new Promise<void>((r) => api.listen(0, "127.0.0.1", r));
  return {
    pki, origin, gw, dir, api, token: t.value.secret,
    cacert: identity.certPath,
    serverKey: path.join(dir, "tls", "server.key"),
    apiBase: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
  };
}

async function stopEnv(env: Env): Promise<void> {
  await env.gw.close();
  await env.origin.close();
  await new Promise<void>((r) => env.api.close(() => r()));
}

interface Built {
  policyIds: string[];
  appIds: string[];
  certIds: string[];
  /** the identity cases' service tokens, the `/staff` application's AUD tag and the blocked certificate */
  identity?: { tokens: Record<"good" | "disabled", ServiceTokenWithSecret>; staffAud: string; blockedId: string };
}

const must = <T>(what: string, r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value;
};

async function build(env: Env, cfg: ConfigSpec): Promise<Built> {
  const certIds: string[] = [];
  for (const u of cfg.uploads) {
    const ca = env.pki.cas[u.ca];
    const certificate = u.form === "chain" ? ca.intermediatePem + ca.rootPem : ca.rootPem;
    const c = must(`certificate ${u.ca}`, await createCertificate(adminActor, { name: `c${cfg.index} ${u.ca} ${u.form}`, certificate, associated_hostnames: u.hostnames, ...(u.crl ? { crl: ca.crlPem } : {}) }));
    certIds.push(c.id);
  }
  const policyIds: string[] = [];
  for (const p of cfg.policies) {
    const body = { name: p.name, decision: p.decision, include: p.include, ...(p.require.length ? { require: p.require } : {}), ...(p.exclude.length ? { exclude: p.exclude } : {}) };
    policyIds.push(must(`policy ${p.name}`, await createPolicy(adminActor, body)).id);
  }
  const appIds: string[] = [];
  for (const a of cfg.apps) {
    const app = must(`application ${a.name}`, await createApplication(adminActor, { name: a.name, domain: `${a.hostname}${a.path}`, policies: a.policies.map((i) => policyIds[i]), origin_url: env.origin.url }));
    appIds.push(app.id);
  }
  const identity = cfg.identity ? await buildIdentity(env, cfg, policyIds, appIds) : undefined;
  env.gw.reload();
  return { policyIds, appIds, certIds, identity };
}

/** ./identity: two service tokens (one disabled), the `/staff` and `/svc` applications, and the blocked leaf. */
async function buildIdentity(env: Env, cfg: ConfigSpec, policyIds: string[], appIds: string[]): Promise<Built["identity"]> {
  const id = cfg.identity!;
  const good = must("service token", await createServiceToken(adminActor, { name: `c${cfg.index} good` }));
  const disabled = must("service token", await createServiceToken(adminActor, { name: `c${cfg.index} disabled` }));
  must("disable token", await updateServiceToken(adminActor, disabled.id, { enabled: false }));
  let staffAud = "";
  for (const [i, p] of id.policies.entries()) {
    const include = p.include.map((r) => ("service_token" in r && r.service_token.token_id === GOOD_TOKEN ? { service_token: { token_id: good.id } } : r));
    const pid = must(`policy ${p.name}`, await createPolicy(adminActor, { name: p.name, decision: p.decision, include, ...(p.require.length ? { require: p.require } : {}) })).id;
    policyIds.push(pid);
    const app = must(`application ${p.name}`, await createApplication(adminActor, { name: p.name, domain: `${id.hostname}${id.paths[i]}`, policies: [pid], origin_url: env.origin.url }));
    appIds.push(app.id);
    if (i === 0) staffAud = app.aud;
  }
  const blocked = must("block", await blockCertificate(adminActor, { certificate: env.pki.cas[id.blockedCa].stolen.pem, reason: `differential c${cfg.index}` }));
  return { tokens: { good, disabled }, staffAud, blockedId: blocked.id };
}

async function teardown(b: Built): Promise<void> {
  if (b.identity) {
    must("unblock", await unblockCertificate(adminActor, b.identity.blockedId));
    for (const t of Object.values(b.identity.tokens)) must("delete token", await deleteServiceToken(adminActor, t.id));
  }
  for (const id of b.appIds) must("delete application", await deleteApplication(adminActor, id));
  for (const id of b.policyIds) must("delete policy", await deletePolicy(adminActor, id));
  for (const id of b.certIds) must("delete certificate", await deleteCertificate(adminActor, id));
}

function clientCert(env: Env, req: RequestSpec) {
  if (!req.ca) return null;
  const leaf = req.stolen ? env.pki.cas[req.ca].stolen : env.pki.cas[req.ca].leaves[req.kind];
  return { files: { cert: req.intermediateSent ? leaf.withIntermediate : leaf.cert, key: leaf.key }, pem: req.intermediateSent ? leaf.chainPem : leaf.pem };
}

const identityCase = (req: RequestSpec) => req.email !== undefined || req.serviceToken !== undefined || req.stolen === true || req.category.startsWith("email_");

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

async function viaGateway(env: Env, req: RequestSpec, b: Built): Promise<DoorAnswer> {
  const r = { status: await send(env, env.gw.port, req, b) };
  await flushAccessLog();
  const row = (await listAccessLog({ hostname: req.hostname }, 1)).items[0];
  const fresh = row && row.id > lastLogId ? row : null;
  if (fresh) lastLogId = fresh.id;
  return { verdict: gatewayVerdict(r.status), policyId: fresh?.policy_id ?? null, applicationId: fresh?.application_id ?? null, detail: `HTTP ${r.status}; log: ${fresh ? `${fresh.decision} ${fresh.policy_name ?? "-"}: ${fresh.reason}` : "no row"}` };
}

async function viaNginx(env: Env, port: number, req: RequestSpec): Promise<DoorAnswer> {
  const status = await send(env, port, req);
  return { verdict: gatewayVerdict(status), policyId: null, applicationId: null, detail: `HTTP ${status}` };
}

const urlOf = (req: RequestSpec) => `https://${req.hostname}${req.path}`;

/** The identity case's tester input: the email, the service token (by id), as the API and the CLI take them. */
const identityInput = (req: RequestSpec, b: Built) => ({
  ...(req.email ? { email: req.email } : {}),
  ...(req.serviceToken && b.identity ? { service_token_id: b.identity.tokens[req.serviceToken].id } : {}),
});

async function viaTester(env: Env, req: RequestSpec, b: Built): Promise<DoorAnswer | string> {
  const cert = clientCert(env, req);
  const extra = identityInput(req, b);
  if (!cert && !Object.keys(extra).length) return "the tester needs a certificate, a service token or an email (no-certificate cases are the gateway's and nginx's only)";
  const r = await testClientCertificate({ url: urlOf(req), ...(cert ? { certificate: cert.pem } : {}), ip: CLIENT_IP, ...(req.sni !== undefined ? { sni: req.sni ?? "" } : {}), ...extra });
  if (!r.ok) return { verdict: r.error.fieldErrors?.url ? "bad_request" : "error", policyId: null, applicationId: null, detail: r.error.message };
  const t = r.value;
  return { verdict: testerVerdict(t.access_decision), policyId: t.policy?.id ?? null, applicationId: t.application?.id ?? null, detail: `${t.access_decision}: ${t.reason}` };
}

function viaCli(env: Env, req: RequestSpec, b: Built): Promise<DoorAnswer | string> {
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

/**
 * Why nginx cannot give the gateway's answer for this request, or null. nginx checks a certificate's dates during
 * the handshake and answers 495 for an expired or not-yet-valid one before any location or map is evaluated (the
 * export turns that into 403), so a policy that does not look at the certificate (Everyone, IP ranges) cannot
 * let such a request through there; the gateway lets those policies decide.
 */
export function nginxCannotExpress(req: RequestSpec, gw: DoorAnswer, nginx: DoorAnswer): string | null {
  if (identityCase(req)) return "the nginx export has no sign-in, service tokens or blocked certificates (the identity cases are the gateway's, the tester's and the CLI's)";
  if (req.sni && req.sni !== req.hostname && gw.verdict === "allow" && nginx.verdict === "misdirected") {
    return "nginx answers 421 whenever the Host names another server than the TLS server name and that server verifies client certificates; the gateway serves hostnames with the same CAs and CRLs";
  }
  if ((req.kind === "expired" || req.kind === "not_yet_valid") && req.ca && gw.verdict === "allow" && nginx.verdict === "block") {
    return "nginx refuses an expired or not-yet-valid certificate itself (495) before any policy; the gateway allowed it by a policy without certificate rules";
  }
  return null;
}

/** Why a door's answer differs from the gateway's, or null. nginx is compared on allow vs refuse only. */
function differs(door: string, gw: DoorAnswer, other: DoorAnswer): string | null {
  if (door === "nginx") return (gw.verdict === "allow") !== (other.verdict === "allow") ? `nginx ${other.verdict}, gateway ${gw.verdict}` : null;
  if (gw.verdict !== other.verdict) return `${door} ${other.verdict}, gateway ${gw.verdict}`;
  if (gw.verdict === "allow" || gw.verdict === "block") {
    if (gw.applicationId !== other.applicationId) return `${door} application ${other.applicationId}, gateway ${gw.applicationId}`;
    if (gw.policyId !== other.policyId) return `${door} policy ${other.policyId}, gateway ${gw.policyId}`;
  }
  return null;
}

/** Runs the matrix for `seed`; never throws on a disagreement (the caller asserts on the report). */
export async function runMatrix(o: MatrixOptions): Promise<MatrixReport> {
  const r = rng(o.seed);
  const ms: Record<string, number> = {};
  const timed = async <T>(k: string, f: () => Promise<T>): Promise<T> => {
    const t = Date.now();
    try {
      return await f();
    } finally {
      ms[k] = (ms[k] ?? 0) + Date.now() - t;
    }
  };
  const configs = Array.from({ length: o.configs }, (_, i) => generateConfig(r, i));
  // The SNI/Host cases' own stream: with it the other cases of a seed are the ones they were before those existed.
  const rs = rng((o.seed ^ 0x5a17c0de) >>> 0);
  const sniCases = o.sniRequestsPerConfig ?? 0;
  if (sniCases) for (const c of configs) addSniHosts(rs, c);
  // The identity cases' own stream too.
  const ri = rng((o.seed ^ 0x1d3e7171) >>> 0);
  const idCases = o.identityRequestsPerConfig ?? 0;
  if (idCases) for (const c of configs) addIdentityApps(ri, c);
  let idDrawn = 0;
  let sniDrawn = 0;
  const env = await timed("setup", () => startEnv(configs.flatMap((c) => [...c.hostnames, ...(c.sni ? [c.sni.open, c.sni.twin, c.sni.other] : [])])));
  const report: MatrixReport = { seed: o.seed, cases: 0, categories: {}, compared: {}, skipped: {}, disagreements: [], sni: {}, ms, identity: {} };
  const count = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  try {
    for (const cfg of configs) {
      const built = await timed("configure", () => build(env, cfg));
      let nginx: Awaited<ReturnType<typeof runNginx>> | null = null;
      let nginxPort = 0;
      if (o.nginx) {
        nginxPort = await freePort();
        const ndir = mkdtempSync(path.join(env.dir, `nginx-c${cfg.index}-`));
        const out = await buildNginxExport({ filesDir: ndir, listen: `127.0.0.1:${nginxPort}`, serverCertificate: env.cacert, serverCertificateKey: env.serverKey });
        nginx = await timed("configure", () => runNginx(o.nginx!, ndir, nginxPort, out.config, out.files));
      }
      try {
        for (let i = 0; i < o.requestsPerConfig + sniCases + idCases; i++) {
          const req = i < o.requestsPerConfig ? generateRequest(r, cfg) : i < o.requestsPerConfig + sniCases ? generateSniRequest(rs, cfg, sniDrawn++) : generateIdentityRequest(ri, cfg, idDrawn++);
          report.cases++;
          count(report.categories, req.category);
          const answers: Record<string, DoorAnswer | string> = {};
          const gw = await timed("gateway", () => viaGateway(env, req, built));
          answers.gateway = gw;
          if (identityCase(req)) (report.identity[req.category] ??= []).push(gw.verdict);
          if (req.sni !== undefined) {
            count(report.sni, "cases");
            if (gw.verdict === "misdirected") count(report.sni, "misdirected");
          }
          answers.tester = await timed("tester", () => viaTester(env, req, built));
          // the CLI for a sample, and for the first SNI/Host case of every other configuration (its --sni)
          const cliSample = o.cliEvery && report.cases % o.cliEvery === 1 % o.cliEvery;
          // and every identity case (its --email / --service-token, without a certificate when it has none)
          if (cliSample || (o.cliEvery && i === o.requestsPerConfig && cfg.index % 2 === 0) || (o.cliEvery && identityCase(req))) answers.cli = await timed("cli", () => viaCli(env, req, built));
          if (nginx) answers.nginx = await timed("nginx", () => viaNginx(env, nginxPort, req));
          else answers.nginx = "nginx is not installed";
          const whys: string[] = [];
          for (const [door, a] of Object.entries(answers)) {
            if (door === "gateway") continue;
            if (typeof a === "string") {
              count(report.skipped, `${door}: ${a}`);
              continue;
            }
            const limitation = door === "nginx" ? nginxCannotExpress(req, gw, a) : null;
            if (limitation) {
              count(report.skipped, `${door}: ${limitation}`);
              continue;
            }
            count(report.compared, door);
            if (req.sni !== undefined) count(report.sni, door);
            const why = differs(door, gw, a);
            if (why) whys.push(why);
          }
          if (whys.length) {
            const d: Disagreement = { seed: o.seed, config: { ...cfg, policies: cfg.policies.map((p, j) => ({ ...p, name: `${p.name} (${built.policyIds[j]})` })), apps: cfg.apps.map((a, j) => ({ ...a, name: `${a.name} (${built.appIds[j]})` })) }, request: req, answers, why: whys.join("; ") };
            report.disagreements.push(d);
            o.log?.(`DISAGREEMENT seed=${o.seed} config=${cfg.index} case=${report.cases}: ${d.why}\n${JSON.stringify({ request: req, answers, config: d.config }, null, 1)}`);
          }
        }
      } finally {
        await nginx?.stop();
        await teardown(built);
      }
    }
  } finally {
    await stopEnv(env);
  }
  o.log?.(`differential matrix seed=${o.seed}: ${report.cases} cases, ${report.disagreements.length} disagreements; compared ${JSON.stringify(report.compared)}; skipped ${JSON.stringify(report.skipped)}; categories ${JSON.stringify(report.categories)}; sni ${JSON.stringify(report.sni)}; ms ${JSON.stringify(ms)}`);
  return report;
}
