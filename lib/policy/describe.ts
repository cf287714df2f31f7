/**
 * Plain-language summaries of policies for the UI, plus configuration warnings
 * (identity selectors in Service Auth / Bypass policies, certificate selectors needing an mTLS hostname).
 */
import { SELECTOR_INFO, parseRule, ruleSelector, ruleValue, type Rule, type Selector } from "./rules";
import { DECISION_LABELS, type PolicyDecision } from "./schema";

export interface DescribablePolicy {
  name?: string;
  decision: PolicyDecision;
  include: readonly Rule[];
  require?: readonly Rule[];
  exclude?: readonly Rule[];
}

/** Phrase that completes "requests …" for one rule. */
export function describeRule(rule: Rule): string {
  const selector = ruleSelector(rule);
  const v = ruleValue(rule) ?? "";
  switch (selector) {
    case "certificate":
      return "with a valid client certificate";
    case "common_name":
      return `whose client certificate has Common Name ${JSON.stringify(v)}`;
    case "everyone":
      return "from everyone";
    case "email":
      return `from ${v}`;
    case "email_domain":
      return `from emails ending in @${v}`;
    case "ip":
      return `from IP range ${v}`;
    case "service_token":
      return `carrying service token ${v}`;
    case "any_valid_service_token":
      return "carrying any valid Access service token";
  }
}

function joinOr(parts: string[], word: "or" | "and"): string {
  if (parts.length <= 1) return parts.join("");
  return `${parts.slice(0, -1).join(", ")} ${word} ${parts[parts.length - 1]}`;
}

/** Groups consecutive phrases of the same selector: "from a@x.com or from b@x.com" → "from a@x.com or b@x.com". */
function phrases(rules: readonly Rule[], word: "or" | "and"): string {
  const groups: { selector: Selector; items: string[] }[] = [];
  for (const rule of rules) {
    const selector = ruleSelector(rule);
    const last = groups[groups.length - 1];
    const groupable = selector === "email" || selector === "ip" || selector === "email_domain";
    if (groupable && last && last.selector === selector) last.items.push(ruleValue(rule) ?? "");
    else groups.push({ selector, items: [describeRule(rule)] });
  }
  return joinOr(
    groups.map((g) => {
      if (g.items.length === 1) return g.items[0];
      const rest = g.items.slice(1).map((x) => (g.selector === "email_domain" ? `@${x}` : x));
      return joinOr([g.items[0], ...rest], word);
    }),
    word,
  );
}

const VERB: Record<PolicyDecision, string> = {
  allow: "lets in",
  non_identity: "lets in",
  bypass: "lets in, without any Access checks,",
  deny: "blocks",
};

function valid(rules: readonly unknown[] | undefined): Rule[] {
  const out: Rule[] = [];
  for (const r of rules ?? []) {
    const p = parseRule(r);
    if (p.ok) out.push(p.rule);
  }
  return out;
}

/**
 * One sentence, e.g. `Service Auth: lets in requests whose client certificate has Common Name "John Doe".`
 * Include rules are joined with "or", Require rules with "and", Exclude rules become "except requests …".
 */
export function describePolicy(policy: DescribablePolicy): string {
  const label = DECISION_LABELS[policy.decision] ?? policy.decision;
  const include = valid(policy.include);
  const require = valid(policy.require);
  const exclude = valid(policy.exclude);
  if (include.length === 0) return `${label}: has no Include rules, so it never matches.`;
  const everyone = include.some((r) => ruleSelector(r) === "everyone");
  let s = `${label}: ${VERB[policy.decision]} ${everyone ? "every request" : `requests ${phrases(include, "or")}`}`;
  if (require.length) s += `, only when also ${phrases(require, "and")}`;
  if (exclude.length) s += `, except requests ${phrases(exclude, "or")}`;
  return `${s}.`;
}

/** True when any rule uses Valid Certificate or Common Name (the app's hostname must be an mTLS hostname). */
export function usesCertificateSelectors(policy: Pick<DescribablePolicy, "include" | "require" | "exclude">): boolean {
  return [policy.include, policy.require ?? [], policy.exclude ?? []].some((list) =>
    valid(list).some((r) => SELECTOR_INFO[ruleSelector(r)].kind === "certificate"),
  );
}

/** Configuration problems worth showing next to the policy form. */
export function policyWarnings(policy: DescribablePolicy): string[] {
  const out: string[] = [];
  const all = [...valid(policy.include), ...valid(policy.require), ...valid(policy.exclude)];
  if (policy.decision === "non_identity" || policy.decision === "bypass") {
    const labels = [...new Set(all.filter((r) => SELECTOR_INFO[ruleSelector(r)].kind === "identity").map((r) => SELECTOR_INFO[ruleSelector(r)].label))];
    for (const l of labels) {
      out.push(`${l} rules never match in a ${DECISION_LABELS[policy.decision]} policy: it does not authenticate users, so only non-identity selectors (certificates, service tokens, IP ranges, Everyone) are evaluated.`);
    }
  }
  if (usesCertificateSelectors(policy)) {
    out.push("This policy uses certificate selectors: they match only on applications whose hostname is an associated hostname of an mTLS certificate.");
  }
  if (policy.decision === "bypass" && all.some((r) => SELECTOR_INFO[ruleSelector(r)].kind === "certificate")) {
    out.push("Bypass turns Access off for matching requests; to admit devices by certificate, Service Auth is usually what you want.");
  }
  return out;
}
