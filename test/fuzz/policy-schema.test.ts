/**
 * Hostile input for the policy schema: `policyInputSchema.safeParse` on arbitrary JSON (and near-valid policies)
 * never throws and always answers either a policy the evaluator accepts or issues with a path and a message.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compilePolicies, formatZodIssues, policyInputSchema, ruleSchema, SELECTORS } from "@/lib/policy";

const ruleish = fc.oneof(
  fc.constantFrom(...SELECTORS).chain((sel) =>
    fc.oneof(
      fc.constant({ [sel]: {} }),
      fc.dictionary(fc.constantFrom("common_name", "email", "domain", "ip", "token_id", "x"), fc.oneof(fc.string({ maxLength: 30 }), fc.jsonValue({ maxDepth: 1 }))).map((v) => ({ [sel]: v })),
    ),
  ),
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom({ ip: { ip: "10.0.0.0/33" } }, { ip: { ip: "::/0" } }, { email_domain: { domain: "@x" } }, { common_name: { common_name: "" } }, { __proto__: { everyone: {} } }),
);

const nearPolicy = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 400 }), fc.constant("  "), fc.jsonValue({ maxDepth: 1 })),
    decision: fc.oneof(fc.constantFrom("allow", "deny", "non_identity", "bypass", "Allow", "service_auth", ""), fc.jsonValue({ maxDepth: 1 })),
    include: fc.oneof(fc.array(ruleish, { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    require: fc.oneof(fc.array(ruleish, { maxLength: 3 }), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    exclude: fc.oneof(fc.array(ruleish, { maxLength: 3 }), fc.constant(null), fc.jsonValue({ maxDepth: 2 })),
    session_duration: fc.oneof(fc.constantFrom("24h", "30m", "0s", "1h30m", "-1h", "9999999h", "1.5h", "h", ""), fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 1 })),
  },
  { requiredKeys: [] },
);

describe("policyInputSchema on hostile input", () => {
  it("arbitrary JSON and near-valid policies: never throws, always a usable policy or clear issues", () => {
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue({ maxDepth: 4 }), nearPolicy, fc.anything({ maxDepth: 2 })), (input) => {
        const r = policyInputSchema.safeParse(input);
        if (r.success) {
          expect(r.data.name.trim().length).toBeGreaterThan(0);
          expect(r.data.include.length).toBeGreaterThan(0);
          // What the schema accepts, the evaluator can compile and run.
          const ev = compilePolicies([{ id: "p", name: r.data.name, decision: r.data.decision, include: r.data.include, require: r.data.require, exclude: r.data.exclude, precedence: 1 }]);
          const d = ev.evaluate({ hostname: "a.example.com", hostnameAssociated: true, ip: "192.0.2.1", certificate: { presented: true, valid: true, commonName: "x" } });
          expect(["allow", "deny"]).toContain(d.decision);
          expect(d.reason.length).toBeGreaterThan(0);
        } else {
          expect(r.error.issues.length).toBeGreaterThan(0);
          for (const f of formatZodIssues(r.error)) {
            expect(typeof f.path).toBe("string");
            expect(f.message.trim().length).toBeGreaterThan(0);
            expect(f.message).not.toMatch(/^Invalid input$/); // specific, not zod's generic text
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it("single rules: never throw, refusals explain themselves", () => {
    fc.assert(
      fc.property(ruleish, (rule) => {
        const r = ruleSchema.safeParse(rule);
        if (!r.success) r.error.issues.forEach((i) => expect(i.message.trim().length).toBeGreaterThan(0));
      }),
      { numRuns: 1000 },
    );
  });

  it("deeply nested and huge values are refused without a stack overflow", () => {
    let deep: unknown = { everyone: {} };
    for (let i = 0; i < 10_000; i++) deep = [deep];
    const huge = { name: "x".repeat(1_000_000), decision: "allow", include: Array.from({ length: 5000 }, () => ({ everyone: {} })) };
    for (const input of [{ name: "p", decision: "allow", include: deep }, huge, { name: "p", decision: "allow", include: [deep] }]) {
      const r = policyInputSchema.safeParse(input);
      expect(r.success).toBe(false);
      if (!r.success) expect(formatZodIssues(r.error).every((f) => f.message.length > 0)).toBe(true);
    }
  });
});
