import { policyNeeds, ruleWarnings, type WarnablePolicy } from "@/lib/policy";
import { Badge } from "../ui/badge";

const KIND = { include: "Include", require: "Require", exclude: "Exclude" } as const;

/**
 * For a saved policy: each rule the gateway can never match, with what that does to the decision. A note, not a
 * status or alert: it describes the configuration, it does not report the result of an action.
 */
export function EnforcementNotice({ policy }: { policy: WarnablePolicy }) {
  const warnings = ruleWarnings(policy);
  if (warnings.length === 0) return null;
  return (
    <div role="note" aria-labelledby="policy-enforcement-heading" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <p id="policy-enforcement-heading" className="font-semibold">
        Not enforced at the gateway yet
      </p>
      <ul className="mt-1 list-disc space-y-1 pl-5">
        {warnings.map((w) => (
          <li key={w.path}>{`${KIND[w.kind]} rule ${w.index + 1} (${w.label}): ${w.text}`}</li>
        ))}
      </ul>
    </div>
  );
}

/**
 * For the Policies list: one badge per capability the gateway lacks ("Needs sign-in at the gateway"), and one for
 * identity rules in a Bypass / Service Auth policy, which are never evaluated there.
 */
export function EnforcementBadges({ policy }: { policy: WarnablePolicy }) {
  const badges = policyNeeds(policy).map((n) => `${n[0].toUpperCase()}${n.slice(1)}`);
  if (ruleWarnings(policy).some((w) => w.cause === "identity_not_evaluated")) badges.push("Identity rules not evaluated");
  if (badges.length === 0) return null;
  return (
    <div className="mt-1 flex flex-wrap gap-1">
      {badges.map((n) => (
        <Badge key={n} tone="amber">
          {n}
        </Badge>
      ))}
    </div>
  );
}
