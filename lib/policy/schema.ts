/**
 * Zod schemas for reusable Access policies in Cloudflare's JSON shape (research §4.2–§4.4). Errors are
 * specific and carry field paths, e.g. `include[0].common_name.common_name: Common Name must not be empty`.
 */
import { z } from "zod";
import { DEFAULT_SESSION_DURATION, validateSessionDuration } from "./duration";
import { parseRule, type Rule } from "./rules";

export const DECISIONS = ["allow", "deny", "non_identity", "bypass"] as const;
export type PolicyDecision = (typeof DECISIONS)[number];

/** Dashboard "Action" names (research §4.2). */
export const DECISION_LABELS: Readonly<Record<PolicyDecision, string>> = {
  allow: "Allow",
  deny: "Block",
  bypass: "Bypass",
  non_identity: "Service Auth",
};

export const MAX_POLICY_NAME_LENGTH = 350;
/** Cloudflare: "Rules count per application | 1,000". Applied per rule list. */
export const MAX_RULES = 1000;

export const decisionSchema = z.enum(DECISIONS, {
  error: (iss) =>
    `Action must be one of allow (Allow), deny (Block), non_identity (Service Auth) or bypass (Bypass); got ${describeInput(iss.input)}`,
});

function describeInput(v: unknown): string {
  if (v === undefined) return "nothing";
  try {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 60)}…` : s;
  } catch {
    return typeof v;
  }
}

/** One rule object with exactly one selector key; output is normalised (trimmed values, canonical CIDR). */
export const ruleSchema = z.unknown().transform((input, ctx): Rule => {
  const r = parseRule(input);
  if (r.ok) return r.rule;
  ctx.addIssue({ code: "custom", path: r.issue.path, message: r.issue.message, input });
  return z.NEVER;
});

function ruleList(kind: "Include" | "Require" | "Exclude") {
  return z
    .array(ruleSchema, { error: `${kind} must be a list of rules` })
    .max(MAX_RULES, `${kind} may have at most ${MAX_RULES} rules`);
}

export const sessionDurationSchema = z
  .string({ error: "Session duration must be a string such as 24h or 1h30m" })
  .nullish()
  .transform((v, ctx): string => {
    const s = (v ?? "").trim() || DEFAULT_SESSION_DURATION;
    const err = validateSessionDuration(s);
    if (err) {
      ctx.addIssue({ code: "custom", message: err, input: v });
      return z.NEVER;
    }
    return s;
  });

export const policyInputSchema = z.object(
  {
    name: z
      .string({ error: "Policy name is required" })
      .trim()
      .min(1, "Policy name must not be empty")
      .max(MAX_POLICY_NAME_LENGTH, `Policy name must be at most ${MAX_POLICY_NAME_LENGTH} characters`),
    decision: decisionSchema,
    include: z
      .array(ruleSchema, { error: "Include must be a list of rules (at least one)" })
      .min(1, "Add at least one Include rule")
      .max(MAX_RULES, `Include may have at most ${MAX_RULES} rules`),
    require: ruleList("Require").nullish().transform((v): Rule[] => v ?? []),
    exclude: ruleList("Exclude").nullish().transform((v): Rule[] => v ?? []),
    session_duration: sessionDurationSchema,
  },
  { error: "Policy must be a JSON object" },
);

export type PolicyInputJson = z.input<typeof policyInputSchema>;
export type PolicyInput = z.output<typeof policyInputSchema>;

export interface FormattedIssue {
  path: string;
  message: string;
}

/** `["include", 0, "common_name", "common_name"]` → `include[0].common_name.common_name`. */
export function formatIssuePath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const seg of path) {
    if (typeof seg === "number") out += `[${seg}]`;
    else out += out === "" ? String(seg) : `.${String(seg)}`;
  }
  return out;
}

/** Flattens zod issues to `{path, message}` with dotted/bracketed paths. */
export function formatZodIssues(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): FormattedIssue[] {
  return err.issues.map((i) => ({ path: formatIssuePath(i.path), message: i.message }));
}

/** One line per issue: `include[0].common_name.common_name: Common Name must not be empty`. */
export function formatZodError(err: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  return formatZodIssues(err)
    .map((i) => (i.path ? `${i.path}: ${i.message}` : i.message))
    .join("\n");
}
