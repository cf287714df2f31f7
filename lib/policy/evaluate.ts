/**
 * Policy evaluation with Cloudflare Access semantics (design.md §5):
 * - a policy matches when ANY Include rule matches, ALL Require rules match and NO Exclude rule matches;
 * - Bypass and Service Auth (non_identity) policies are evaluated first (by precedence among themselves),
 *   then the rest by precedence; the first matching policy decides; no match → deny by default;
 * - certificate selectors match only on an associated hostname with a presented, valid certificate;
 * - identity selectors (Emails, Emails ending in) never match in Service Auth or Bypass policies, which do
 *   not authenticate a user (Cloudflare evaluates only non-identity selectors there);
 * - selectors the gateway cannot enforce yet (identity without sign-in, service tokens) never match, and the
 *   trace says "not enforceable yet: needs …" (lib/policy/enforceable.ts) rather than a silent non-match.
 * `compilePolicies` precompiles rules (CIDRs, labels) once; `evaluate` then allocates only the trace.
 */
import { cidrContains, formatIp, parseCidr, parseIp, unmapIpv4, type CompiledCidr, type ParsedIp } from "./ip";
import { deadRuleReason } from "./enforceable";
import type { CompileOptions, Decision, EvaluateOptions, PolicyEvaluator, PolicyForEval, PolicyTrace, RequestContext, RuleKind, RuleTrace, Outcome } from "./eval-types";
import { GATEWAY_CAPABILITIES, SELECTOR_INFO, parseRule, ruleSelector, ruleValue, type GatewayCapability, type Rule, type Selector } from "./rules";
import { DECISION_LABELS, type PolicyDecision } from "./schema";

export type * from "./eval-types";

interface Check {
  matched: boolean;
  reason: string;
}
interface Prepared {
  ctx: RequestContext;
  ip: ParsedIp | null | undefined; // undefined: not parsed yet
  email: string | null;
}
type Matcher = (req: Prepared) => Check;

interface CompiledRule {
  kind: RuleKind;
  index: number;
  selector: Selector;
  label: string;
  value?: string;
  check: Matcher;
}
interface CompiledPolicy {
  policy: PolicyForEval;
  include: CompiledRule[];
  require: CompiledRule[];
  exclude: CompiledRule[];
}

const NO_CERT: Check = { matched: false, reason: "no client certificate presented" };
const NO_EMAIL: Check = { matched: false, reason: "no authenticated user email in the request" };
const NO_IP: Check = { matched: false, reason: "client IP address unknown" };
const NO_TOKEN: Check = { matched: false, reason: "no service token presented" };
const EVERYONE: Check = { matched: true, reason: "Everyone matches every request" };
const VALID_CERT: Check = { matched: true, reason: "valid client certificate presented" };

function certificateGate(ctx: RequestContext): Check | null {
  if (!ctx.hostnameAssociated) {
    return { matched: false, reason: `hostname ${ctx.hostname} is not an associated hostname of any mTLS certificate` };
  }
  const c = ctx.certificate;
  if (!c || !c.presented) return NO_CERT;
  if (!c.valid) return { matched: false, reason: `client certificate invalid: ${c.reason || "it does not validate against the hostname's CAs"}` };
  return null;
}

function ipOf(req: Prepared): ParsedIp | null {
  if (req.ip === undefined) req.ip = req.ctx.ip ? parseIp(req.ctx.ip) : null;
  return req.ip;
}

function compileMatcher(rule: Rule, decision: PolicyDecision, capabilities: readonly GatewayCapability[]): Matcher {
  const selector = ruleSelector(rule);
  const value = ruleValue(rule) ?? "";
  // A rule the gateway cannot evaluate never matches, whatever the request carries (an email typed into the
  // tester must not let in what the gateway refuses); decided here, once, so the fast path does no extra work.
  const dead = deadRuleReason(selector, decision, capabilities);
  if (dead !== null) {
    const r: Check = { matched: false, reason: dead };
    return () => r;
  }
  switch (selector) {
    case "everyone":
      return () => EVERYONE;
    case "certificate":
      return (req) => certificateGate(req.ctx) ?? VALID_CERT;
    case "common_name": {
      const ok: Check = { matched: true, reason: `Common Name is ${JSON.stringify(value)}` };
      return (req) => {
        const gate = certificateGate(req.ctx);
        if (gate) return gate;
        const cn = req.ctx.certificate?.commonName;
        if (cn === value) return ok;
        if (cn === undefined || cn === null) return { matched: false, reason: `client certificate has no Common Name, expected ${JSON.stringify(value)}` };
        return { matched: false, reason: `Common Name is ${JSON.stringify(cn)}, expected ${JSON.stringify(value)}` };
      };
    }
    case "email": {
      const want = value.toLowerCase();
      return (req) => {
        if (req.email === null) return NO_EMAIL;
        return req.email === want
          ? { matched: true, reason: `email is ${req.ctx.email}` }
          : { matched: false, reason: `email is ${req.ctx.email}, expected ${value}` };
      };
    }
    case "email_domain": {
      const suffix = `@${value.toLowerCase()}`;
      return (req) => {
        if (req.email === null) return NO_EMAIL;
        const matched = req.email.endsWith(suffix);
        return { matched, reason: `email ${req.ctx.email} ${matched ? "ends" : "does not end"} in ${suffix}` };
      };
    }
    case "ip": {
      const parsed = parseCidr(value);
      const cidr: CompiledCidr | null = parsed.ok ? parsed.cidr : null;
      return (req) => {
        if (!cidr) return { matched: false, reason: `IP range ${JSON.stringify(value)} is invalid` };
        if (!req.ctx.ip) return NO_IP;
        const ip = ipOf(req);
        if (!ip) return { matched: false, reason: `client IP ${JSON.stringify(req.ctx.ip)} is not a valid IP address` };
        const matched = cidrContains(cidr, ip);
        const shown = formatIp(cidr.version === 4 ? unmapIpv4(ip) : ip);
        return { matched, reason: `client IP ${shown} is ${matched ? "" : "not "}in ${cidr.text}` };
      };
    }
    case "service_token":
      return (req) => {
        const t = req.ctx.serviceTokenId;
        if (!t) return NO_TOKEN;
        return t === value
          ? { matched: true, reason: `service token ${t} presented` }
          : { matched: false, reason: `service token ${t} presented, expected ${value}` };
      };
    case "any_valid_service_token":
      return (req) => {
        const t = req.ctx.serviceTokenId;
        return t ? { matched: true, reason: `valid service token ${t} presented` } : NO_TOKEN;
      };
  }
}

function compileRules(rules: readonly Rule[] | undefined, kind: RuleKind, decision: PolicyDecision, capabilities: readonly GatewayCapability[]): CompiledRule[] {
  return (Array.isArray(rules) ? rules : []).map((raw, index): CompiledRule => {
    const parsed = parseRule(raw);
    if (!parsed.ok) {
      const key = raw && typeof raw === "object" ? Object.keys(raw)[0] : undefined;
      const known = key !== undefined && key in SELECTOR_INFO;
      const bad: Check = { matched: false, reason: `invalid rule: ${parsed.issue.message}` };
      return { kind, index, selector: (known ? key : "everyone") as Selector, label: known ? SELECTOR_INFO[key as Selector].label : `Invalid rule (${key ?? "empty"})`, check: () => bad };
    }
    const rule = parsed.rule;
    const selector = ruleSelector(rule);
    const value = ruleValue(rule);
    const base = { kind, index, selector, label: SELECTOR_INFO[selector].label, check: compileMatcher(rule, decision, capabilities) };
    return value === undefined ? base : { ...base, value };
  });
}

const FIRST = new Set<PolicyDecision>(["bypass", "non_identity"]);
const OUTCOME: Record<PolicyDecision, Outcome> = { allow: "allow", deny: "block", bypass: "bypass", non_identity: "service_auth" };

function prec(p: PolicyForEval): number {
  return Number.isFinite(p.precedence) ? p.precedence : Number.POSITIVE_INFINITY;
}

/** Orders policies for evaluation: Bypass and Service Auth first, each group by precedence (stable). */
export function orderPolicies<T extends PolicyForEval>(policies: readonly T[]): T[] {
  return policies
    .map((p, i) => ({ p, i, first: FIRST.has(p.decision) ? 0 : 1 }))
    .sort((a, b) => a.first - b.first || prec(a.p) - prec(b.p) || a.i - b.i)
    .map((x) => x.p);
}

function matchesFast(cp: CompiledPolicy, req: Prepared): boolean {
  let inc = false;
  for (const r of cp.include) if (r.check(req).matched) { inc = true; break; }
  if (!inc) return false;
  for (const r of cp.require) if (!r.check(req).matched) return false;
  for (const r of cp.exclude) if (r.check(req).matched) return false;
  return true;
}

function ruleTrace(r: CompiledRule, c: Check | null): RuleTrace {
  const t: RuleTrace = { kind: r.kind, index: r.index, selector: r.selector, label: r.label, matched: c ? c.matched : false, reason: c ? c.reason : "not evaluated" };
  if (r.value !== undefined) t.value = r.value;
  return t;
}

function traced(cp: CompiledPolicy, req: Prepared, order: number): PolicyTrace {
  const rules: RuleTrace[] = [];
  const run = (list: CompiledRule[]) => list.map((r) => { const t = ruleTrace(r, r.check(req)); rules.push(t); return t; });
  const inc = run(cp.include);
  const reqs = run(cp.require);
  const exc = run(cp.exclude);
  const p = cp.policy;
  const firstInc = inc.find((t) => t.matched);
  const failedReq = reqs.find((t) => !t.matched);
  const hitExc = exc.find((t) => t.matched);
  let reason: string;
  if (inc.length === 0) reason = "the policy has no Include rules, so it cannot match";
  else if (!firstInc) reason = inc.length === 1 ? `Include rule did not match: ${inc[0].reason}` : "no Include rule matched";
  else if (failedReq) reason = `Require rule ${failedReq.index + 1} (${failedReq.label}) did not match: ${failedReq.reason}`;
  else if (hitExc) reason = `Exclude rule ${hitExc.index + 1} (${hitExc.label}) matched: ${hitExc.reason}`;
  else reason = `matched: ${firstInc.reason}`;
  const matched = !!firstInc && !failedReq && !hitExc;
  return { policyId: p.id, name: p.name, decision: p.decision, order, evaluated: true, matched, reason, rules };
}

function decisionFor(p: PolicyForEval | null, trace: PolicyTrace[]): Decision {
  if (!p) return { decision: "deny", outcome: "default_deny", policy: null, reason: "Denied by default: no policy matched", trace };
  const allow = p.decision !== "deny";
  return {
    decision: allow ? "allow" : "deny",
    outcome: OUTCOME[p.decision],
    policy: { id: p.id, name: p.name, decision: p.decision },
    reason: `${allow ? "Allowed" : "Blocked"} by ${DECISION_LABELS[p.decision]} policy ${JSON.stringify(p.name)}`,
    trace,
  };
}

/**
 * Precompiles policies (ordering, CIDRs, labels) into a reusable evaluator. `capabilities` defaults to what the
 * gateway enforces today (GATEWAY_CAPABILITIES); rules needing more never match and say why in the trace.
 */
export function compilePolicies(policies: readonly PolicyForEval[], options?: CompileOptions): PolicyEvaluator {
  const capabilities = options?.capabilities ?? GATEWAY_CAPABILITIES;
  const ordered = orderPolicies(policies ?? []);
  const compiled: CompiledPolicy[] = ordered.map((policy) => ({
    policy,
    include: compileRules(policy.include, "include", policy.decision, capabilities),
    require: compileRules(policy.require, "require", policy.decision, capabilities),
    exclude: compileRules(policy.exclude, "exclude", policy.decision, capabilities),
  }));
  return {
    ordered,
    evaluate(ctx: RequestContext, options?: EvaluateOptions): Decision {
      const email = typeof ctx?.email === "string" && ctx.email.trim() !== "" ? ctx.email.trim().toLowerCase() : null;
      const req: Prepared = { ctx: ctx ?? { hostname: "", hostnameAssociated: false }, ip: undefined, email };
      if (options?.trace === false) {
        for (const cp of compiled) if (matchesFast(cp, req)) return decisionFor(cp.policy, []);
        return decisionFor(null, []);
      }
      const trace: PolicyTrace[] = [];
      let decider: PolicyForEval | null = null;
      for (let i = 0; i < compiled.length; i++) {
        const cp = compiled[i];
        if (decider !== null) {
          const rules = [...cp.include, ...cp.require, ...cp.exclude].map((r) => ruleTrace(r, null));
          const p = cp.policy;
          const reason = `not evaluated: policy ${JSON.stringify(decider.name)} decided first`;
          trace.push({ policyId: p.id, name: p.name, decision: p.decision, order: i + 1, evaluated: false, matched: false, reason, rules });
          continue;
        }
        const t = traced(cp, req, i + 1);
        trace.push(t);
        if (t.matched) decider = cp.policy;
      }
      return decisionFor(decider, trace);
    },
  };
}

/** One-shot evaluation; for many requests against the same policies use `compilePolicies`. */
export function evaluatePolicies(policies: readonly PolicyForEval[], ctx: RequestContext, options?: EvaluateOptions & CompileOptions): Decision {
  return compilePolicies(policies, options).evaluate(ctx, options);
}
