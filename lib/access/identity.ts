/**
 * Sign-in in the one decision: an application whose Allow or Block policies use Emails or Emails ending in needs a
 * signed-in person. A request for it without an email (no session at the gateway; no "as if signed in as" in the
 * tester) and without a service token is answered `sign_in` (401: the gateway sends browsers to its login page,
 * lib/gateway/identity) unless Bypass or Service Auth already decided it — an email could change the decision, and
 * an Allow policy must never let someone in just because nobody said who they are (an Exclude on their email would
 * not have run).
 */
import { parseRule, ruleSelector, SELECTOR_INFO, type PolicyForEval } from "../policy";

/** Whether a policy can use an identity: Allow or Block with an Emails / Emails ending in rule (Bypass and Service Auth never do). */
export function policyNeedsIdentity(p: Pick<PolicyForEval, "decision" | "include" | "require" | "exclude">): boolean {
  if (p.decision !== "allow" && p.decision !== "deny") return false;
  return [p.include, p.require ?? [], p.exclude ?? []].some((list) =>
    list.some((raw) => {
      const r = parseRule(raw);
      return r.ok && SELECTOR_INFO[ruleSelector(r.rule)].kind === "identity";
    }),
  );
}

export const SIGN_IN_REASON = "Sign-in required: this application's policies use an email, and the request has no signed-in identity";
