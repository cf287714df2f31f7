/**
 * The tester's result built from lib/access's explained decision: the steps in reading order, the chain as
 * validated, the reason, what the origin would be told (identity and ./origin-headers), or the 421 answer.
 */
import type { AccessApp, AccessDecision } from "../../access";
import type { ValidationResult, ValidationStep } from "../../pki";
import type { ApplicationForGateway } from "../applications";
import { originHeadersFor } from "./origin-headers";
import type { ChainNode, EvaluateOptions, HostnameContext, StepGroup, TestMtlsResult, TestStep } from "./types";

/** The fields every result has before the decision: what was tested. */
export type TestedRequest = Pick<TestMtlsResult, "hostname" | "url" | "path" | "at" | "ip" | "sni" | "service_token" | "email">;

type Decision = AccessDecision<AccessApp<ApplicationForGateway>>;

/** The Host the client would send (with the port of a tested URL), as the gateway copies it into X-Forwarded-Host. */
const hostOfUrl = (url: string, fallback: string) => URL.canParse(url) ? new URL(url).host : fallback;

const PASS = (ok: boolean): TestStep["status"] => (ok ? "pass" : "fail");

/** What a request without a client certificate is validated to (nothing). */
const NO_VALIDATION: ValidationResult = Object.freeze({ ok: false, errors: [], path: [], steps: [], leaf: null });
const NO_CERTIFICATE_STEP: TestStep = {
  id: "certificate",
  group: "certificate",
  label: "Client certificate",
  status: "skip",
  detail: "None presented: tested as a request without a client certificate (Valid Certificate and Common Name rules do not match).",
  level: 0,
};


function groupOf(id: string): StepGroup {
  const kind = id.split(":")[0];
  if (kind === "parse") return "certificate";
  if (kind === "validity") return "validity";
  if (kind === "revocation" || kind === "crl-time") return "revocation";
  if (kind === "purpose") return "purpose";
  return "chain";
}

const ORDER: Record<string, number> = { parse: 0, build: 1, signature: 2, ca: 3, pathlen: 4, critical: 5, names: 6, validity: 7, revocation: 8, "crl-time": 9, purpose: 10 };

/** Certificate steps in reading order: chain links leaf-up, then validity, revocation, EKU. */
function certificateSteps(steps: ValidationStep[]): TestStep[] {
  const depth = (id: string) => Number(id.split(":").at(-1)) || 0;
  return steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => (ORDER[a.s.id.split(":")[0]] ?? 5) - (ORDER[b.s.id.split(":")[0]] ?? 5) || depth(a.s.id) - depth(b.s.id) || a.i - b.i)
    .map(({ s }) => ({ id: s.id, group: groupOf(s.id), label: s.label, status: PASS(s.ok), detail: s.detail, level: 0 }));
}


type Tested = Pick<EvaluateOptions, "ip" | "email" | "serviceToken">;

/** The steps of a decided request: the certificate's, then hostname, block, token, identity, application, policies. */
function decisionSteps(ctx: HostnameContext, d: Decision, validation: ValidationResult | null, opts: Tested, key: string): TestStep[] {
  const st = opts.serviceToken;
  // No certificate (a service token or an email tested alone): the request as a client without one sends it.
  const v = validation ?? NO_VALIDATION;
  const steps = validation ? certificateSteps(v.steps) : [NO_CERTIFICATE_STEP];
  if (validation && !v.steps.some((s) => s.id.startsWith("revocation:"))) {
    steps.push({ id: "revocation", group: "revocation", label: "Revocation (CRL)", status: "pass", detail: "No CRL is stored for this hostname's CA certificates; revocation not checked.", level: 0 });
  }
  const errorDetail = v.errors.length ? ` Validation failed: ${v.errors.map((e) => `${e.message} (depth ${e.depth})`).join("; ")}.` : "";
  steps.push({
    id: "hostname",
    group: "hostname",
    label: `Hostname association: ${ctx.hostname}`,
    status: PASS(ctx.associated),
    detail: ctx.associated
      ? `Associated with mTLS certificate${ctx.trustSources.length > 1 ? "s" : ""} ${ctx.trustSources.map((s) => `"${s.name}"`).join(", ")}.${errorDetail}`
      : `${ctx.hostname} is not an associated hostname of any mTLS certificate, so certificate rules cannot match.`,
    level: 0,
  });
  if (d.blocked) {
    // Instant lock (lib/access/blocked): the gateway refuses this certificate before any policy runs.
    const b = d.blocked;
    const by = b.kind === "sha256" ? "its SHA-256 fingerprint" : `its issuer and serial number ${b.serial}`;
    steps.push({ id: "blocked", group: "blocked", label: "Blocked certificate", status: "fail", detail: `Locked by ${by} since ${b.blockedAt}: ${b.reason}. The gateway refuses it on every application before any policy (Mutual TLS → Blocked certificates).`, level: 0 });
  }
  if (st?.token) {
    const t = st.token;
    steps.push({
      id: "service_token",
      group: "service_token",
      label: `Service token: ${t.name}`,
      status: PASS(st.ok),
      detail: st.ok
        ? `Presented as its holder would (CF-Access-Client-Id ${t.clientId} with its current Client Secret); ${t.expiresAt === null ? "it never expires" : `valid until ${new Date(t.expiresAt).toISOString()}`}.`
        : `The gateway refuses these credentials with 401 before any policy: ${st.reason}.`,
      level: 0,
    });
  }
  if (opts.email) {
    steps.push({ id: "identity", group: "identity", label: `Signed in as ${opts.email}`, status: "pass", detail: "Tested as if this person had signed in at the gateway with a login method; Emails and Emails ending in rules read this email.", level: 0 });
  } else if (d.outcome === "sign_in") {
    steps.push({
      id: "identity",
      group: "identity",
      label: "Signed-in identity",
      status: "fail",
      detail: "None: the application's policies use an email, so the gateway asks the person to sign in first (302 to its login page for browsers, 401 for other clients). Give an email to test as if signed in.",
      level: 0,
    });
  }
  const compiled = d.application;
  const app = compiled?.app ?? null;
  const chosenWhy = d.considered.find((c) => c.matched)?.why;
  steps.push({
    id: "application",
    group: "application",
    label: app ? `Application: ${app.name}` : "Application",
    status: PASS(!!app),
    detail: app
      ? `${app.domain} is protected by "${app.name}" with ${app.policies.length} polic${app.policies.length === 1 ? "y" : "ies"}${chosenWhy ? ` (${chosenWhy})` : ""}.`
      : ctx.snapshot.apps.length
        ? `No application of ${ctx.hostname} covers the path ${key}, so there is no policy to allow the request.`
        : `No application protects ${ctx.hostname}, so there is no policy to allow the request.`,
    level: 0,
  });
  for (const p of d.trace) {
    const label = `Policy ${p.order}: ${p.name}`;
    steps.push({ id: `policy:${p.policyId}`, group: "policy", label, status: p.evaluated ? PASS(p.matched) : "skip", detail: p.reason, level: 0, policyId: p.policyId });
    for (const r of p.rules) {
      const kind = r.kind[0].toUpperCase() + r.kind.slice(1);
      // A rule "passes" when it does what lets the policy match: Include/Require match, Exclude does not.
      const good = r.kind === "exclude" ? !r.matched : r.matched;
      steps.push({
        id: `rule:${p.policyId}:${r.kind}:${r.index}`,
        group: "rule",
        label: `${kind} ${r.label}${r.value !== undefined ? ` ${JSON.stringify(r.value)}` : ""}`,
        status: p.evaluated ? PASS(good) : "skip",
        detail: `${r.matched ? "Matched" : "Did not match"}: ${r.reason}`,
        level: 1,
        policyId: p.policyId,
      });
    }
  }
  return steps;
}

/** The result of a decided request (every outcome but 421 Misdirected). */
export function decidedResult(ctx: HostnameContext, base: TestedRequest, d: Decision, validation: ValidationResult | null, opts: Tested, key: string): TestMtlsResult {
  const v = validation ?? NO_VALIDATION;
  const st = opts.serviceToken;
  const app = d.application?.app ?? null;
  const steps = decisionSteps(ctx, d, validation, opts, key);
  const n = v.path.length;
  const chain: ChainNode[] = v.path.map((c, depth) => {
    const errs = v.errors.filter((e) => e.depth === depth).map((e) => e.message);
    return {
      depth,
      role: depth === 0 ? "leaf" : depth === n - 1 && c.selfSigned ? "root" : "intermediate",
      subject: c.subject,
      subjectCN: c.subjectCN,
      issuer: c.issuer,
      serialNumber: c.serialNumber,
      notAfter: c.notAfter,
      trusted: ctx.anchorFingerprints.has(c.sha256Fingerprint),
      ok: errs.length === 0,
      errors: errs,
    };
  });
  const e = d.evaluation;
  const reason = !app
    ? `Blocked: ${d.reason.replace(/^No/, "no")}`
    : d.outcome === "sign_in"
      ? d.reason
      : e && e.outcome === "default_deny" && !v.ok && v.errors.length
      ? `${e.reason}; the client certificate is invalid: ${v.errors[0].message}`
      : (e?.reason ?? d.reason);
  return {
    ...base,
    application: app ? { id: app.id, name: app.name, domain: app.domain, path: app.path || null } : null,
    applications_considered: d.considered,
    decision: d.decision,
    access_decision: d.outcome,
    outcome: e ? e.outcome : "default_deny",
    policy: d.policy,
    reason,
    certificate: { valid: v.ok, errors: v.errors, leaf: v.leaf },
    // A service token that authenticated is what the origin is told about (the gateway's JWT: common_name = Client ID).
    identity: d.decision === "allow" && d.outcome !== "bypass" && st?.ok ? { common_name: st.token.clientId, sub: "" } : d.identity ? { common_name: d.identity.commonName, sub: d.identity.sub } : null,
    steps,
    chain,
    origin_headers:
      d.decision === "allow"
        ? originHeadersFor({ host: hostOfUrl(base.url, ctx.hostname), ip: opts.ip ?? null, identified: d.outcome !== "bypass", validation: v, certificateIdentity: !!d.identity, forwarding: ctx.forwarding ?? { legacy: false, presets: [] } })
        : null,
  };
}

/** A request the gateway answers 421 (lib/access `misdirected`): the chain is not evaluated for another hostname. */
export function misdirectedResult(base: TestedRequest, reason: string, sni: string): TestMtlsResult {
  return {
    ...base,
    application: null,
    applications_considered: [],
    decision: "deny",
    access_decision: "misdirected",
    outcome: "default_deny",
    policy: null,
    reason,
    certificate: { valid: false, errors: [], leaf: null },
    identity: null,
    steps: [{ id: "sni", group: "hostname", label: `TLS server name (SNI): ${sni || "none sent"}`, status: "fail", detail: reason, level: 0 }],
    chain: [],
    origin_headers: null,
  };
}
