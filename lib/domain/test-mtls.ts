/**
 * The client-certificate tester (Test mTLS page, `POST /api/v1/test-mtls`, `portcullis test`) and the
 * decision path the gateway shares: hostname → its CA chains + CRLs + the protecting application's
 * policies → `lib/pki` path validation → `lib/policy` evaluation with the certificate context.
 *
 * Two steps so callers can cache: `buildHostnameContext` (DB reads, parsing, compiled validator and
 * policies) and `evaluateClientCertificate(ctx, pem, {at})` (pure, memoised per leaf by the validator).
 * `contextFromConfig` builds the same context from data the caller already holds (no DB).
 *
 * Revocation: each mTLS certificate holds at most one CRL, so CRLs are checked where one is stored (every
 * certificate of the path whose issuer has a stored CRL) and a CA without a stored CRL is not treated as
 * "unable to get certificate CRL" — otherwise uploading the intermediate's CRL would refuse everyone.
 * A stored CRL past its nextUpdate fails validation with "CRL has expired" (OpenSSL semantics).
 *
 * Testing changes nothing: the submitted certificate is never stored, logged or audited, and test runs
 * are not written to the audit log (which records changes). Viewers and read tokens may test.
 */
import { z } from "zod";
import { parseCertificates } from "../pki/path";
import { fingerprints } from "../pki/links";
import { createValidator, type LeafInfo, type ValidationStep, type Validator, type VerifyError } from "../pki";
import { compilePolicies, type Outcome, type PolicyDecision, type PolicyEvaluator, type PolicyForEval } from "../policy";
import { normalizeHostname } from "../hostname";
import { applicationsForHostname, getApplication, type ApplicationForGateway } from "./applications";
import { certificatesForHostname, containsPrivateKey, PRIVATE_KEY_REFUSAL } from "./certificates";
import { fail, ok, zodFieldErrors, type Result } from "./result";

export type StepGroup = "certificate" | "chain" | "validity" | "revocation" | "purpose" | "hostname" | "application" | "policy" | "rule";

export interface TestStep {
  id: string;
  group: StepGroup;
  label: string;
  status: "pass" | "fail" | "skip";
  detail: string;
  /** 0 = top-level step; 1 = a rule inside the policy step above it. */
  level: 0 | 1;
  policyId?: string;
}

export interface ChainNode {
  depth: number;
  role: "leaf" | "intermediate" | "root";
  subject: string;
  subjectCN: string | null;
  issuer: string;
  serialNumber: string;
  notAfter: string;
  /** One of the hostname's stored CA certificates (else sent by the client). */
  trusted: boolean;
  /** No validation error at this depth. */
  ok: boolean;
  errors: string[];
}

export interface TestMtlsResult {
  hostname: string;
  at: string;
  application: { id: string; name: string; domain: string } | null;
  decision: "allow" | "deny";
  outcome: Outcome;
  policy: { id: string; name: string; decision: PolicyDecision } | null;
  reason: string;
  certificate: { valid: boolean; errors: VerifyError[]; leaf: LeafInfo | null };
  steps: TestStep[];
  chain: ChainNode[];
}

export interface HostnameContext {
  hostname: string;
  associated: boolean;
  trustSources: { id: string; name: string; hasCrl: boolean }[];
  validator: Validator;
  anchorFingerprints: ReadonlySet<string>;
  application: ApplicationForGateway | null;
  evaluator: PolicyEvaluator;
  builtAt: Date;
}

export interface HostnameConfig {
  hostname: string;
  certificates: { id: string; name: string; pem: string; crlPem: string | null }[];
  application: ApplicationForGateway | null;
}

/** Builds the evaluation context from already-loaded configuration (the gateway's cached snapshot). */
export async function contextFromConfig(cfg: HostnameConfig): Promise<HostnameContext> {
  const pems = cfg.certificates.map((c) => c.pem);
  const crls = cfg.certificates.flatMap((c) => (c.crlPem ? [c.crlPem] : []));
  const anchors = parseCertificates(pems).certs;
  const fps = await Promise.all(anchors.map(async (a) => (await fingerprints(a)).sha256));
  return {
    hostname: cfg.hostname,
    associated: cfg.certificates.length > 0,
    trustSources: cfg.certificates.map((c) => ({ id: c.id, name: c.name, hasCrl: !!c.crlPem })),
    validator: createValidator({ trustAnchors: pems, crls }),
    anchorFingerprints: new Set(fps),
    application: cfg.application,
    evaluator: compilePolicies(cfg.application?.policies ?? ([] as PolicyForEval[])),
    builtAt: new Date(),
  };
}

/** Loads `hostname`'s trust store and protecting application (`applicationId`, else the whole-host one). */
export async function buildHostnameContext(hostname: string, opts: { applicationId?: string } = {}): Promise<HostnameContext> {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "");
  const [certificates, apps] = await Promise.all([certificatesForHostname(host), applicationsForHostname(host)]);
  const application =
    (opts.applicationId ? apps.find((a) => a.id === opts.applicationId) : undefined) ?? apps.find((a) => a.path === "") ?? apps[0] ?? null;
  return contextFromConfig({ hostname: host, certificates, application });
}

const PASS = (ok: boolean): TestStep["status"] => (ok ? "pass" : "fail");

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

/** Drop "unable to get certificate CRL" for CAs without a stored CRL (see the module comment). */
function softenMissingCrls(r: Awaited<ReturnType<Validator["validate"]>>) {
  const missing = new Set(r.errors.filter((e) => e.code === "unable_to_get_crl").map((e) => e.depth));
  if (!missing.size) return r;
  const errors = r.errors.filter((e) => e.code !== "unable_to_get_crl");
  const steps = r.steps.map((s) => {
    const m = /^revocation:(\d+)$/.exec(s.id);
    if (!m || !missing.has(Number(m[1])) || s.detail !== "unable_to_get_crl") return s;
    const d = Number(m[1]);
    const issuer = r.path[d + 1]?.subject ?? r.path[d]?.issuer ?? "its issuer";
    return { ...s, ok: true, detail: `Not checked: no CRL from ${issuer} is stored.` };
  });
  return { ...r, errors, steps, ok: errors.length === 0 };
}

/** Validates the client certificate (PEM/DER, optionally followed by its intermediates) and evaluates the policies. */
export async function evaluateClientCertificate(
  ctx: HostnameContext,
  certificate: string | Uint8Array,
  opts: { at?: Date; path?: string } = {},
): Promise<TestMtlsResult> {
  const at = opts.at ?? new Date();
  const v = softenMissingCrls(await ctx.validator.validate(certificate, { at }));
  const steps = certificateSteps(v.steps);
  if (!v.steps.some((s) => s.id.startsWith("revocation:"))) {
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
  const app = ctx.application;
  steps.push({
    id: "application",
    group: "application",
    label: app ? `Application: ${app.name}` : "Application",
    status: PASS(!!app),
    detail: app
      ? `${app.domain} is protected by "${app.name}" with ${app.policies.length} polic${app.policies.length === 1 ? "y" : "ies"}.`
      : `No application protects ${ctx.hostname}, so there is no policy to allow the request.`,
    level: 0,
  });
  const leaf = v.leaf;
  const decision = ctx.evaluator.evaluate({
    hostname: ctx.hostname,
    path: opts.path,
    hostnameAssociated: ctx.associated,
    certificate: { presented: leaf !== null, valid: v.ok, commonName: leaf?.subjectCN ?? null, reason: v.errors[0]?.message },
  });
  for (const p of decision.trace) {
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
  const reason = !app
    ? `Blocked: no application protects ${ctx.hostname}`
    : decision.outcome === "default_deny" && !v.ok
      ? `${decision.reason}; the client certificate is invalid: ${v.errors[0].message}`
      : decision.reason;
  return {
    hostname: ctx.hostname,
    at: at.toISOString(),
    application: app ? { id: app.id, name: app.name, domain: app.domain } : null,
    decision: app ? decision.decision : "deny",
    outcome: app ? decision.outcome : "default_deny",
    policy: app ? decision.policy : null,
    reason,
    certificate: { valid: v.ok, errors: v.errors, leaf },
    steps,
    chain,
  };
}

export const MAX_TEST_CERTIFICATE_BYTES = 1024 * 1024;

const testInputSchema = z
  .object({
    hostname: z.string({ error: "Hostname must be text" }).trim().optional(),
    application_id: z.string({ error: "Application must be an application ID" }).trim().optional(),
    certificate: z
      .string({ error: "Client certificate is required" })
      .refine((s) => s.trim().length > 0, "Client certificate is required: paste the PEM or upload the file")
      .refine((s) => s.length <= MAX_TEST_CERTIFICATE_BYTES, "The client certificate must be at most 1 MiB"),
    at: z
      .string({ error: "Validation time must be an ISO 8601 date and time" })
      .trim()
      .optional()
      .transform((s, c) => {
        if (!s) return undefined;
        const d = new Date(s);
        if (Number.isNaN(d.getTime())) {
          c.addIssue({ code: "custom", message: `Validation time "${s}" is not a date and time (use e.g. 2030-01-31T12:00:00Z)` });
          return z.NEVER;
        }
        return d;
      }),
  })
  .superRefine((v, c) => {
    if (!v.hostname && !v.application_id) c.addIssue({ code: "custom", path: ["hostname"], message: "Choose an application or enter a hostname" });
  });

/** The one entry point for the page, the REST API and the CLI: `{hostname | application_id, certificate, at?}`. */
export async function testClientCertificate(input: unknown): Promise<Result<TestMtlsResult>> {
  const raw = input as { certificate?: unknown } | null;
  if (containsPrivateKey(raw?.certificate)) return fail("validation", PRIVATE_KEY_REFUSAL, { certificate: [PRIVATE_KEY_REFUSAL] });
  const parsed = testInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the highlighted fields.", fieldErrors);
  }
  const d = parsed.data;
  let hostname: string;
  if (d.application_id) {
    const app = await getApplication(d.application_id);
    if (!app) return fail("not_found", "That application does not exist (it may have been deleted).", { application_id: ["That application does not exist."] });
    hostname = app.domain.split("/")[0];
    const ctx = await buildHostnameContext(hostname, { applicationId: app.id });
    return ok(await evaluateClientCertificate(ctx, d.certificate, { at: d.at }));
  }
  const norm = normalizeHostname(d.hostname!);
  if (!norm.ok) return fail("validation", norm.error, { hostname: [norm.error] });
  hostname = norm.hostname;
  const ctx = await buildHostnameContext(hostname);
  return ok(await evaluateClientCertificate(ctx, d.certificate, { at: d.at }));
}
