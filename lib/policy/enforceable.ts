/**
 * Rules that can never match at the gateway, and what that does to a policy's decision. The evaluator takes its
 * trace wording from `deadRuleReason`, and the editor, the policy pages and the API take their warnings from
 * `ruleWarnings`/`ruleNotice`, so what the console says is what the gateway does.
 */
import type { RuleKind } from "./eval-types";
import { GATEWAY_CAPABILITIES, SELECTOR_INFO, parseRule, ruleSelector, selectorNeeds, type GatewayCapability, type Selector } from "./rules";
import { DECISION_LABELS, type PolicyDecision } from "./schema";

/** What a rule that never matches does to the decision, by where it sits. */
export type DeadRuleEffect = "never_matches" | "policy_never_matches" | "never_excludes";
/** `not_enforceable`: the gateway lacks a capability; `identity_not_evaluated`: identity rule in Bypass/Service Auth. */
export type DeadRuleCause = "not_enforceable" | "identity_not_evaluated";

export interface RuleWarning {
  kind: RuleKind;
  index: number;
  selector: Selector;
  label: string;
  /** `include[0]` */
  path: string;
  cause: DeadRuleCause;
  /** e.g. "needs sign-in at the gateway"; null for `identity_not_evaluated` */
  needs: string | null;
  effect: DeadRuleEffect;
  /** for the console, e.g. "Needs sign-in at the gateway: … so this Include rule never matches." */
  text: string;
  /** for the API, e.g. "include[0] email: needs sign-in at the gateway; this rule never matches until identity sign-in is enabled" */
  message: string;
}

const EFFECT: Record<RuleKind, DeadRuleEffect> = { include: "never_matches", require: "policy_never_matches", exclude: "never_excludes" };

const UNTIL: Record<GatewayCapability, string> = {
  sign_in: "until identity sign-in is enabled",
  service_tokens: "until service tokens are enabled at the gateway",
};
const LACKS: Record<GatewayCapability, string> = {
  sign_in: "the gateway cannot sign users in yet",
  service_tokens: "the gateway does not check service tokens yet",
};

function identityNotEvaluated(selector: Selector, decision: PolicyDecision): boolean {
  return SELECTOR_INFO[selector].kind === "identity" && (decision === "bypass" || decision === "non_identity");
}

/**
 * Why a rule with `selector` in a `decision` policy can never match, or null when it can. This is the wording of
 * the trace (the Test mTLS page, the API, the gateway's explanations).
 */
export function deadRuleReason(selector: Selector, decision: PolicyDecision, capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): string | null {
  const label = SELECTOR_INFO[selector].label;
  if (decision === "bypass" && identityNotEvaluated(selector, decision)) return `${label} rules cannot match in a Bypass policy, which does not authenticate users`;
  if (identityNotEvaluated(selector, decision)) return `${label} rules cannot match in a Service Auth policy, which evaluates only non-identity selectors`;
  const needs = selectorNeeds(selector, capabilities);
  return needs ? `not enforceable yet: ${needs}` : null;
}

function effectPhrase(kind: RuleKind): string {
  if (kind === "require") return "this policy never matches";
  if (kind === "exclude") return "this rule never excludes anyone";
  return "this rule never matches";
}

function consoleEffect(kind: RuleKind): string {
  if (kind === "require") return "this Require rule never passes and the whole policy never matches";
  if (kind === "exclude") return "this Exclude rule never excludes anyone";
  return "this Include rule never matches";
}

function warningFor(selector: Selector, kind: RuleKind, index: number, decision: PolicyDecision, capabilities: readonly GatewayCapability[]): RuleWarning | null {
  const info = SELECTOR_INFO[selector];
  const path = `${kind}[${index}]`;
  const base = { kind, index, selector, label: info.label, path, effect: EFFECT[kind] };
  if (identityNotEvaluated(selector, decision)) {
    const action = DECISION_LABELS[decision];
    const why = decision === "bypass" ? "it does not authenticate users" : "it evaluates only non-identity selectors";
    return {
      ...base,
      cause: "identity_not_evaluated",
      needs: null,
      text: `Not evaluated in a ${action} policy: ${why}, so ${consoleEffect(kind)}.`,
      message: `${path} ${selector}: not evaluated in a ${action} policy (${why}); ${effectPhrase(kind)}`,
    };
  }
  const req = info.requires;
  const needs = selectorNeeds(selector, capabilities);
  if (!req || !needs) return null;
  return {
    ...base,
    cause: "not_enforceable",
    needs,
    text: `${needs[0].toUpperCase()}${needs.slice(1)}: ${LACKS[req]}, so ${consoleEffect(kind)}.`,
    message: `${path} ${selector}: ${needs}; ${effectPhrase(kind)} ${UNTIL[req]}`,
  };
}

/** The console sentence for one rule row (shown as soon as the selector is chosen), or null. */
export function ruleNotice(selector: Selector, kind: RuleKind, decision: PolicyDecision = "allow", capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): string | null {
  return warningFor(selector, kind, 0, decision, capabilities)?.text ?? null;
}

export interface WarnablePolicy {
  decision: PolicyDecision;
  include?: readonly unknown[] | null;
  require?: readonly unknown[] | null;
  exclude?: readonly unknown[] | null;
}

/** Every rule of `policy` that can never match at the gateway, in Include, Require, Exclude order. Malformed rules are skipped. */
export function ruleWarnings(policy: WarnablePolicy, capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): RuleWarning[] {
  const out: RuleWarning[] = [];
  for (const kind of ["include", "require", "exclude"] as const) {
    const list = policy[kind];
    if (!Array.isArray(list)) continue;
    list.forEach((raw: unknown, index) => {
      const parsed = parseRule(raw);
      if (!parsed.ok) return;
      const w = warningFor(ruleSelector(parsed.rule), kind, index, policy.decision, capabilities);
      if (w) out.push(w);
    });
  }
  return out;
}

/** The distinct gateway needs of a policy's rules, e.g. ["needs sign-in at the gateway"] (for badges). */
export function policyNeeds(policy: WarnablePolicy, capabilities: readonly GatewayCapability[] = GATEWAY_CAPABILITIES): string[] {
  return [...new Set(ruleWarnings(policy, capabilities).flatMap((w) => (w.needs ? [w.needs] : [])))];
}
