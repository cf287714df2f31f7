/**
 * The client-certificate tester (Test mTLS page, `POST /api/v1/test-mtls`, `portcullis test`): the same decision
 * the gateway makes, from lib/access (`explainAccess`: the chain validated for the hostname's trust store, the
 * application matched by domain + path, the policies with the trace on), shown step by step.
 *
 * Two steps so callers can cache: `buildHostnameContext` (DB reads, compiled validator and policies of every
 * application of the hostname) and `evaluateClientCertificate(ctx, pem, {at, path, ip})` (memoised per leaf by the
 * validator). `contextFromConfig` builds the same context from data the caller already holds (no DB).
 *
 * Revocation follows lib/access (a CA without a stored CRL is not checked for revocation). A stored CRL is read
 * from the database once per certificate version (./crls `trustSourcesForHostname`) and parsed once per content
 * (lib/pki's CRL cache, shared with the gateway), so repeating a test costs no CRL parse.
 *
 * Testing changes nothing: the submitted certificate is never stored, logged or audited, and test runs
 * are not written to the audit log (which records changes). Viewers and read tokens may test.
 *
 * CONTRACT (the page, the API and the CLI code against it; also in lib/access/index.ts):
 * - input: `hostname` | `application_id` | `url`, `certificate` (optional with `service_token_id` or `email`: a
 *   client that sends no certificate), `at?`, `ip?`. `url` is `https://host[:port]/path?query`
 *   (http also accepted; anything else: field error on `url` "Enter a URL such as https://app.example.com/admin");
 *   hostname and path come from it, the path normalised by lib/access/path (a refused path: field error on `url`
 *   with the normaliser's message). `hostname` alone means path "/"; `application_id` alone means that
 *   application's domain and path; `url` with a host other than `hostname`'s, or than the chosen application's:
 *   field error on `url`. `ip` (optional): the client IP; without it IP rules do not match ("client IP address
 *   unknown"). `sni` (optional, the API and the CLI): the TLS server name the client sent, "" for none; when it is not
 *   the tested hostname the request is decided as the gateway decides it (421 Misdirected when the trust stores
 *   differ, lib/access `misdirected`; otherwise the chain is validated for the SNI's trust store).
 *   `service_token_id` (optional): a service token's id or Client ID; the request is decided as if its holder sent
 *   its CF-Access-Client-Id and current CF-Access-Client-Secret (lib/access `serviceTokenVerdict` at `at`: a
 *   disabled or expired token is `unauthenticated`, 401); an unknown one is a field error on `service_token_id`.
 *   `email` (optional): decide as if signed in at the gateway as this person (Emails / Emails ending in rules read
 *   it); without it, an application whose Allow or Block policies use an email answers `sign_in` (lib/access).
 * - result: `TestMtlsResult` below; new in this version: `url`, `path`, `application.path`,
 *   `applications_considered`, `access_decision` (lib/access AccessOutcome). `decision` stays "allow" | "deny".
 */
import { z } from "zod";
import type { ForwardingPreset } from "../../access/forwarding-presets";
import { getHostnameSettings } from "../hostnames";
import { originHeadersFor, type OriginHeader } from "./origin-headers";
import { parseCertificates } from "../../pki/path";
import { fingerprints } from "../../pki/links";
import type { LeafInfo, ValidationResult, ValidationStep, VerifyError } from "../../pki";
import { parseIp, type Outcome, type PolicyDecision } from "../../policy";
import { normalizeHostname } from "../../hostname";
import {
  compileHost,
  explainAccess,
  normalizeTarget,
  serviceTokenRequest,
  serviceTokenVerdict,
  type AccessOutcome,
  type AccessApp,
  type AppConsidered,
  type HostSnapshot,
  type ServiceTokenVerdict,
  type BlockedCertificate,
} from "../../access";
import { blockedCertificatesForDecision } from "../blocked-certificates";
import { applicationsForHostname, getApplication, type ApplicationForGateway } from "../applications";
import { containsPrivateKey, PRIVATE_KEY_REFUSAL } from "../certificates";
import { trustSourcesForHostname } from "../crls";
import { revocationSettingsFor } from "../hostnames/revocation";
import { resolveOcsp } from "../ocsp";
import type { RevocationSettings } from "../../access/freshness";
import { fail, ok, zodFieldErrors, type Result } from "../core/result";
import { serviceTokenState } from "../service-tokens";

export type StepGroup = "certificate" | "chain" | "validity" | "revocation" | "purpose" | "hostname" | "blocked" | "service_token" | "identity" | "application" | "policy" | "rule";

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
  /** the URL tested, normalised: `https://host/path?query` */
  url: string;
  /** the normalised path (what the origin would be sent) */
  path: string;
  at: string;
  /** the client IP tested, or null (IP rules then do not match) */
  ip: string | null;
  /** the TLS server name tested, when one was given ("" = none sent); absent: the same as `hostname` */
  sni?: string;
  /** the service token tested as if presented, when one was given */
  service_token?: { id: string; name: string; client_id: string; valid: boolean };
  /** the email tested "as if signed in as", when one was given */
  email?: string;
  application: { id: string; name: string; domain: string; path: string | null } | null;
  /** every application of the hostname and why it was or was not chosen for the path */
  applications_considered: AppConsidered[];
  decision: "allow" | "deny";
  /** what lib/access decides (the gateway's outcome) */
  access_decision: AccessOutcome;
  outcome: Outcome;
  policy: { id: string; name: string; decision: PolicyDecision } | null;
  reason: string;
  certificate: { valid: boolean; errors: VerifyError[]; leaf: LeafInfo | null };
  /** what the origin would be told about the client (null: nothing, e.g. Bypass or no valid certificate) */
  identity: { common_name: string | null; sub: string } | null;
  steps: TestStep[];
  chain: ChainNode[];
  /** the headers the gateway would set on the request to the origin (./origin-headers); null when it is not sent */
  origin_headers: OriginHeader[] | null;
}

export interface HostnameContext {
  hostname: string;
  associated: boolean;
  trustSources: { id: string; name: string; hasCrl: boolean }[];
  snapshot: HostSnapshot<AccessApp<ApplicationForGateway>>;
  anchorFingerprints: ReadonlySet<string>;
  builtAt: Date;
  /** "Client certificate forwarding" and the forwarding presets (absent: neither) */
  forwarding?: { legacy: boolean; presets: readonly ForwardingPreset[] };
}

export interface HostnameConfig {
  hostname: string;
  certificates: { id: string; name: string; pem: string; crlPem: string | null }[];
  /** every application of the hostname (lib/access orders them) */
  applications: ApplicationForGateway[];
  forwarding?: boolean;
  forwardingPresets?: ForwardingPreset[];
  /** every blocked certificate (lib/access/blocked) */
  blocked?: BlockedCertificate[];
  /** the hostname's out-of-date CRL choice and OCSP setting (default: block, no OCSP) */
  revocation?: RevocationSettings;
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
    snapshot: compileHost({ hostname: cfg.hostname, cas: pems, crls, forwarding: cfg.forwarding ?? false, apps: cfg.applications, blocked: cfg.blocked, revocation: cfg.revocation }),
    anchorFingerprints: new Set(fps),
    builtAt: new Date(),
    forwarding: { legacy: cfg.forwarding ?? false, presets: cfg.forwardingPresets ?? [] },
  };
}

/** Loads `hostname`'s trust store and every application on it. */
export async function buildHostnameContext(hostname: string): Promise<HostnameContext> {
  const host = hostname.trim().toLowerCase().replace(/\.$/, "");
  const [certificates, applications, blocked, revocation] = await Promise.all([trustSourcesForHostname(host), applicationsForHostname(host), blockedCertificatesForDecision(), revocationSettingsFor([host])]);
  const [setting] = await getHostnameSettings([host]);
  return contextFromConfig({ hostname: host, forwarding: setting?.client_certificate_forwarding ?? false, forwardingPresets: setting?.forwarding_presets ?? [], certificates, applications, blocked, revocation: revocation.get(host) });
}

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

const derOf = (pem: string) => new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));

/** The validated leaf's OCSP answer, as the gateway gets it (lib/domain/ocsp: same cache). */
async function ocspOf(v: ValidationResult, at: Date) {
  const [leaf, issuer] = v.path;
  return leaf && issuer ? resolveOcsp(derOf(leaf.pem), derOf(issuer.pem), { at }) : null;
}

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

export interface EvaluateOptions {
  at?: Date;
  /** the request target (path and query; default "/"), normalised here as the gateway does */
  path?: string;
  /** the client IP (default none) */
  ip?: string;
  /** the URL shown in the result (default https://hostname + the normalised target) */
  url?: string;
  /** the TLS server name and its context (null: no SNI, or a name nothing is configured for); absent: `ctx`'s own */
  sni?: { name: string; ctx: HostnameContext | null };
  /** a service token's credentials as if presented, judged at `at` (lib/access `serviceTokenVerdict`) */
  serviceToken?: ServiceTokenVerdict;
  /** decide as if signed in at the gateway as this email (lower-cased) */
  email?: string;
}

/**
 * Validates the client certificate (PEM/DER, optionally followed by its intermediates) and decides the request
 * through lib/access, as the gateway would for the same hostname, path and client IP.
 */
export async function evaluateClientCertificate(ctx: HostnameContext, certificate: string | Uint8Array | null, opts: EvaluateOptions = {}): Promise<TestMtlsResult> {
  const at = opts.at ?? new Date();
  const target = normalizeTarget(opts.path ?? "/", ctx.hostname);
  if (!target.ok) throw new Error(`The path was refused: ${target.error}`);
  const sni = opts.sni ? { sni: opts.sni.ctx?.snapshot ?? null } : {};
  const st = opts.serviceToken;
  const token = st ? serviceTokenRequest(st) : {};
  const { decision: d, validation } = await explainAccess({ host: ctx.snapshot, chain: certificate, at, key: target.key, path: target.path, ip: opts.ip, email: opts.email, ...token, ...sni, ocsp: (v) => ocspOf(v, at) });
  const base = {
    hostname: ctx.hostname,
    url: opts.url ?? `https://${ctx.hostname}${target.target}`,
    path: target.path,
    at: at.toISOString(),
    ip: opts.ip ?? null,
    ...(opts.sni ? { sni: opts.sni.name } : {}),
    ...(st?.token ? { service_token: { id: st.token.id, name: st.token.name, client_id: st.token.clientId, valid: st.ok } } : {}),
    ...(opts.email ? { email: opts.email } : {}),
  };
  if (d.outcome === "misdirected") return misdirectedResult(base, d.reason, opts.sni?.name ?? "");
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
        ? `No application of ${ctx.hostname} covers the path ${target.key}, so there is no policy to allow the request.`
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
function misdirectedResult(base: Pick<TestMtlsResult, "hostname" | "url" | "path" | "at" | "ip" | "sni" | "service_token">, reason: string, sni: string): TestMtlsResult {
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

export const MAX_TEST_CERTIFICATE_BYTES = 1024 * 1024;
export const URL_HINT = "Enter a URL such as https://app.example.com/admin";
const URL_FORM = /^(https?):\/\/([^/?#@\s]+)([^#\s]*)(#.*)?$/i;

/** `https://host[:port]/path?query` → its parts, or a field error (the path normalised as the gateway does). */
export function parseTestUrl(input: string): { ok: true; hostname: string; authority: string; scheme: string; target: string } | { ok: false; error: string } {
  const m = URL_FORM.exec(input.trim());
  if (!m) return { ok: false, error: URL_HINT };
  const authority = m[2].toLowerCase();
  const port = /:(\d{1,5})$/.exec(authority);
  if (port && Number(port[1]) > 65535) return { ok: false, error: `${URL_HINT} (the port ${port[1]} is not a port number)` };
  const host = normalizeHostname(port ? authority.slice(0, -port[0].length) : authority);
  if (!host.ok) return { ok: false, error: `${URL_HINT} (${host.error})` };
  const rest = m[3] === "" ? "/" : m[3].startsWith("?") ? `/${m[3]}` : m[3];
  return { ok: true, hostname: host.hostname, authority, scheme: m[1].toLowerCase(), target: rest };
}

const testInputSchema = z
  .object({
    hostname: z.string({ error: "Hostname must be text" }).trim().optional(),
    application_id: z.string({ error: "Application must be an application ID" }).trim().optional(),
    url: z.string({ error: URL_HINT }).trim().max(8192, "The URL must be at most 8192 characters").optional(),
    ip: z
      .string({ error: "Client IP must be an IP address such as 192.0.2.10" })
      .trim()
      .optional()
      .refine((s) => !s || parseIp(s) !== null, "Client IP must be an IP address such as 192.0.2.10 or 2001:db8::1"),
    sni: z.string({ error: "TLS server name must be a hostname, or empty for none" }).trim().max(253, "TLS server name must be at most 253 characters").optional(),
    service_token_id: z.string({ error: "Service token must be a service token's ID or Client ID" }).trim().max(100, "Service token must be a service token's ID or Client ID").optional(),
    email: z
      .string({ error: "Email must be an email address such as someone@example.com" })
      .trim()
      .max(320, "Email must be at most 320 characters")
      .optional()
      .refine((s) => !s || /^[^\s@]+@[^\s@]+$/.test(s), "Email must be an email address such as someone@example.com")
      .transform((s) => (s ? s.toLowerCase() : undefined)),
    certificate: z
      .string({ error: "Client certificate must be PEM text" })
      .refine((s) => s.length <= MAX_TEST_CERTIFICATE_BYTES, "The client certificate must be at most 1 MiB")
      .optional()
      .transform((s) => (s && s.trim() ? s : undefined)),
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
    if (!v.hostname && !v.application_id && !v.url) c.addIssue({ code: "custom", path: ["hostname"], message: "Choose an application or enter a hostname" });
    // A service token or an email can be tested alone: a client that sends no certificate.
    if (!v.certificate && !v.service_token_id && !v.email) {
      c.addIssue({ code: "custom", path: ["certificate"], message: "Client certificate is required: paste the PEM or upload the file (or test a service token or an email without one)" });
    }
  });

/**
 * The TLS server name's context as the gateway resolves it: the tested hostname's own for its name; null for no SNI
 * or a name nothing is configured for (the gateway's shared "unknown" context).
 */
async function sniContext(name: string | undefined, host: HostnameContext): Promise<EvaluateOptions["sni"]> {
  if (name === undefined) return undefined;
  if (name === host.hostname) return { name, ctx: host };
  if (!name) return { name, ctx: null };
  const ctx = await buildHostnameContext(name);
  return { name, ctx: ctx.associated || ctx.snapshot.apps.length ? ctx : null };
}

const urlError = (message: string) => fail("validation", message, { url: [message] });

/** The one entry point for the page, the REST API and the CLI (see CONTRACT in the module comment). */
export async function testClientCertificate(input: unknown): Promise<Result<TestMtlsResult>> {
  const raw = input as { certificate?: unknown } | null;
  if (containsPrivateKey(raw?.certificate)) return fail("validation", PRIVATE_KEY_REFUSAL, { certificate: [PRIVATE_KEY_REFUSAL] });
  const parsed = testInputSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    return fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the highlighted fields.", fieldErrors);
  }
  const d = parsed.data;
  const ip = d.ip || undefined;
  let serviceToken: ServiceTokenVerdict | undefined;
  if (d.service_token_id) {
    const state = await serviceTokenState(d.service_token_id);
    if (!state) {
      const m = "No service token has this ID or Client ID (Access controls → Service Tokens lists them)";
      return fail("validation", m, { service_token_id: [m] });
    }
    serviceToken = serviceTokenVerdict(state, "current", (d.at ?? new Date()).getTime());
  }
  let sniName: string | undefined;
  if (d.sni !== undefined && d.sni !== "") {
    const norm = normalizeHostname(d.sni);
    if (!norm.ok) return fail("validation", `TLS server name: ${norm.error}`, { sni: [`TLS server name: ${norm.error}`] });
    sniName = norm.hostname;
  } else if (d.sni === "") sniName = "";
  let hostname: string | null = null;
  if (d.hostname) {
    const norm = normalizeHostname(d.hostname);
    if (!norm.ok) return fail("validation", norm.error, { hostname: [norm.error] });
    hostname = norm.hostname;
  }
  let appHost: string | null = null;
  let appPath = "/";
  if (d.application_id) {
    const app = await getApplication(d.application_id);
    if (!app) return fail("not_found", "That application does not exist (it may have been deleted).", { application_id: ["That application does not exist."] });
    const slash = app.domain.indexOf("/");
    appHost = (slash < 0 ? app.domain : app.domain.slice(0, slash)).toLowerCase();
    appPath = slash < 0 ? "/" : app.domain.slice(slash);
  }
  if (d.url) {
    const u = parseTestUrl(d.url);
    if (!u.ok) return urlError(u.error);
    if (hostname && hostname !== u.hostname) return urlError(`The URL's host ${u.hostname} is not the hostname ${hostname}; leave one of them empty or make them agree`);
    if (appHost && appHost !== u.hostname && !(appHost.startsWith("*.") && u.hostname.endsWith(appHost.slice(1)))) {
      return urlError(`The URL's host ${u.hostname} is not the chosen application's domain ${appHost}`);
    }
    const target = normalizeTarget(u.target, u.authority);
    if (!target.ok) return urlError(`The URL's path was refused: ${target.error}`);
    const ctx = await buildHostnameContext(u.hostname);
    return ok(await evaluateClientCertificate(ctx, d.certificate ?? null, { at: d.at, path: target.target, ip, url: `${u.scheme}://${u.authority}${target.target}`, sni: await sniContext(sniName, ctx), serviceToken, email: d.email }));
  }
  const host = appHost ?? hostname!;
  const path = appHost ? appPath : "/";
  const target = normalizeTarget(path, host);
  const ctx = await buildHostnameContext(host);
  return ok(await evaluateClientCertificate(ctx, d.certificate ?? null, { at: d.at, path: target.ok ? target.target : "/", ip, sni: await sniContext(sniName, ctx), serviceToken, email: d.email }));
}
