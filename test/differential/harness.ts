/**
 * The differential harness: every generated case goes through every door that answers "would this request get
 * in?" (./doors: the gateway, the tester, `portcullis test` for a sample of cases since spawning the CLI costs
 * seconds, and nginx running the export where nginx can express the configuration) and the answers are compared.
 * A configuration is built through lib/domain in ./env and torn down after its cases.
 */
import { mkdtempSync } from "node:fs";
import path from "node:path";
import { buildNginxExport } from "@/lib/export/nginx";
import { freePort } from "../helpers/server";
import { runNginx } from "../integration/nginx-fixtures";
import { identityCase, NO_ROW, viaCli, viaGateway, viaNginx, viaTester, type DoorAnswer, type Verdict } from "./doors";
import { build, startEnv, stopEnv, teardown } from "./env";
import { addSniHosts, generateConfig, generateRequest, generateSniRequest, rng, type ConfigSpec, type RequestSpec } from "./generate";
import { addIdentityApps, generateIdentityRequest } from "./identity";
import { addManagedApp, generateManagedRequest } from "./managed";

export { gatewayVerdict, type DoorAnswer, type Verdict } from "./doors";

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
  /** the managed CA cases: the gateway's verdicts per category */
  managed: Record<string, Verdict[]>;
}


export interface MatrixOptions {
  seed: number;
  configs: number;
  requestsPerConfig: number;
  /** SNI/Host cases per configuration, after its other cases (their own random stream: the other cases stay the same) */
  sniRequestsPerConfig?: number;
  /** identity cases per configuration (./identity: email, service token, blocked certificate), after the SNI/Host ones */
  identityRequestsPerConfig?: number;
  /** managed CA cases per configuration (./managed: issued, revoked, reactivated, expired), after the identity ones */
  managedRequestsPerConfig?: number;
  /** run `portcullis test` for one case in every `cliEvery` (0 = never) */
  cliEvery: number;
  /** the nginx binary, or null to leave nginx out, and the nginx engine with it (the report says so) */
  nginx: string | null;
  log?: (line: string) => void;
}

/**
 * Why nginx cannot give the gateway's answer for this request, or null. nginx checks a certificate's dates during
 * the handshake and answers 495 for an expired or not-yet-valid one before any location or map is evaluated (the
 * export turns that into 403), so a policy that does not look at the certificate (Everyone, IP ranges) cannot
 * let such a request through there; the gateway lets those policies decide.
 */
export function nginxCannotExpress(req: RequestSpec, gw: DoorAnswer, nginx: DoorAnswer): string | null {
  // A blocked certificate is refused before any sign-in or token is looked at, so nginx decides those cases too.
  if (identityCase(req) && !req.stolen) return "the nginx export has no sign-in or service tokens (the identity cases are the gateway's, the tester's and the CLI's)";
  if (req.sni && req.sni !== req.hostname && gw.verdict === "allow" && nginx.verdict === "misdirected") {
    return "nginx answers 421 whenever the Host names another server than the TLS server name and that server verifies client certificates; the gateway serves hostnames with the same CAs and CRLs";
  }
  if ((req.kind === "expired" || req.kind === "not_yet_valid") && req.ca && gw.verdict === "allow" && nginx.verdict === "block") {
    return "nginx refuses an expired or not-yet-valid certificate itself (495) before any policy; the gateway allowed it by a policy without certificate rules";
  }
  return null;
}

/**
 * Why the nginx engine cannot give the node engine's answer for this request, or null: nginx 1.22 answers 421 itself
 * whenever the Host names another server than the TLS server name and that server verifies client certificates, where
 * the node engine serves a Host whose trust store is the TLS server name's (the engine's one documented difference).
 */
export function nginxEngineDiffers(req: RequestSpec, gw: DoorAnswer, engine: DoorAnswer): string | null {
  if (req.sni && req.sni !== req.hostname && gw.verdict !== "misdirected" && engine.verdict === "misdirected") {
    return "the nginx engine answers 421 whenever the Host names another server than the TLS server name and that server verifies client certificates";
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
  // And the managed CA cases'.
  const rm = rng((o.seed ^ 0x3a5ca11e) >>> 0);
  const mCases = o.managedRequestsPerConfig ?? 0;
  if (mCases) for (const c of configs) addManagedApp(rm, c);
  let idDrawn = 0;
  let sniDrawn = 0;
  let mDrawn = 0;
  const hostnames = configs.flatMap((c) => [...c.hostnames, ...(c.sni ? [c.sni.open, c.sni.twin, c.sni.other] : []), ...(c.managed ? [c.managed.hostname] : [])]);
  const env = await timed("setup", () => startEnv(hostnames, mCases > 0, o.nginx !== null));
  const report: MatrixReport = { seed: o.seed, cases: 0, categories: {}, compared: {}, skipped: {}, disagreements: [], sni: {}, ms, identity: {}, managed: {} };
  const count = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);
  try {
    for (const cfg of configs) {
      const built = await timed("configure", () => build(env, cfg));
      // The nginx engine rewrites its files and reloads nginx within a second of a change: let it, before the cases.
      if (env.gwNginx) await timed("configure", () => new Promise((resolve) => setTimeout(resolve, 1500)));
      let nginx: Awaited<ReturnType<typeof runNginx>> | null = null;
      let nginxPort = 0;
      if (o.nginx) {
        nginxPort = await freePort();
        const ndir = mkdtempSync(path.join(env.dir, `nginx-c${cfg.index}-`));
        const out = await buildNginxExport({ filesDir: ndir, listen: `127.0.0.1:${nginxPort}`, serverCertificate: env.cacert, serverCertificateKey: env.serverKey });
        nginx = await timed("configure", () => runNginx(o.nginx!, ndir, nginxPort, out.config, out.files));
      }
      try {
        for (let i = 0; i < o.requestsPerConfig + sniCases + idCases + mCases; i++) {
          const req =
            i < o.requestsPerConfig ? generateRequest(r, cfg) :
            i < o.requestsPerConfig + sniCases ? generateSniRequest(rs, cfg, sniDrawn++) :
            i < o.requestsPerConfig + sniCases + idCases ? generateIdentityRequest(ri, cfg, idDrawn++) :
            generateManagedRequest(rm, cfg, mDrawn++);
          report.cases++;
          count(report.categories, req.category);
          const answers: Record<string, DoorAnswer | string> = {};
          const gw = await timed("gateway", () => viaGateway(env, req, built));
          answers.gateway = gw;
          if (identityCase(req)) (report.identity[req.category] ??= []).push(gw.verdict);
          if (req.managed) (report.managed[req.category] ??= []).push(gw.verdict);
          if (req.sni !== undefined) {
            count(report.sni, "cases");
            if (gw.verdict === "misdirected") count(report.sni, "misdirected");
          }
          if (env.gwNginx) answers["nginx engine"] = await timed("nginx engine", () => viaGateway(env, req, built, "nginx", !gw.detail.endsWith(NO_ROW)));
          else answers["nginx engine"] = "nginx is not installed";
          answers.tester = await timed("tester", () => viaTester(env, req, built));
          // the CLI for a sample, and for the first SNI/Host case of every other configuration (its --sni)
          const cliSample = o.cliEvery && report.cases % o.cliEvery === 1 % o.cliEvery;
          // and every identity case (its --email / --service-token, without a certificate when it has none) and managed CA case
          if (cliSample || (o.cliEvery && i === o.requestsPerConfig && cfg.index % 2 === 0) || (o.cliEvery && (identityCase(req) || req.managed))) answers.cli = await timed("cli", () => viaCli(env, req, built));
          if (nginx) answers.nginx = await timed("nginx", () => viaNginx(env, nginxPort, req));
          else answers.nginx = "nginx is not installed";
          const whys: string[] = [];
          for (const [door, a] of Object.entries(answers)) {
            if (door === "gateway") continue;
            if (typeof a === "string") {
              count(report.skipped, `${door}: ${a}`);
              continue;
            }
            const limitation = door === "nginx" ? nginxCannotExpress(req, gw, a) : door === "nginx engine" ? nginxEngineDiffers(req, gw, a) : null;
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
  o.log?.(`differential matrix seed=${o.seed}: ${report.cases} cases, ${report.disagreements.length} disagreements; compared ${JSON.stringify(report.compared)}; skipped ${JSON.stringify(report.skipped)}; categories ${JSON.stringify(report.categories)}; sni ${JSON.stringify(report.sni)}; managed ${JSON.stringify(report.managed)}; ms ${JSON.stringify(ms)}`);
  return report;
}

