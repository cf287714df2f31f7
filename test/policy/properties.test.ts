import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  DECISIONS,
  GATEWAY_CAPABILITIES,
  SELECTORS,
  cidrContains,
  compilePolicies,
  describePolicy,
  evaluatePolicies,
  formatGoDuration,
  formatIp,
  parseCidr,
  parseGoDuration,
  parseIp,
  policyInputSchema,
  ruleSchema,
  ruleWarnings,
  type PolicyForEval,
  type RequestContext,
  type Rule,
} from "@/lib/policy";

const ruleArb: fc.Arbitrary<Rule> = fc.oneof(
  fc.constant<Rule>({ certificate: {} }),
  fc.constant<Rule>({ everyone: {} }),
  fc.constant<Rule>({ any_valid_service_token: {} }),
  fc.constantFrom("John Doe", "Jane Roe", "device-1").map((common_name): Rule => ({ common_name: { common_name } })),
  fc.constantFrom("a@example.com", "b@example.com").map((email): Rule => ({ email: { email } })),
  fc.constantFrom("example.com", "other.test").map((domain): Rule => ({ email_domain: { domain } })),
  fc.constantFrom("10.0.0.0/8", "192.0.2.0/24", "2001:db8::/32", "0.0.0.0/0").map((ip): Rule => ({ ip: { ip } })),
  fc.constantFrom("tok-1", "tok-2").map((token_id): Rule => ({ service_token: { token_id } })),
);

const policyArb: fc.Arbitrary<PolicyForEval> = fc.record({
  id: fc.uuid(),
  name: fc.string({ minLength: 1, maxLength: 20 }),
  decision: fc.constantFrom(...DECISIONS),
  include: fc.array(ruleArb, { maxLength: 4 }),
  require: fc.array(ruleArb, { maxLength: 3 }),
  exclude: fc.array(ruleArb, { maxLength: 3 }),
  precedence: fc.oneof(fc.integer({ min: -5, max: 20 }), fc.constant(Number.NaN)),
});

const ctxArb: fc.Arbitrary<RequestContext> = fc.record(
  {
    hostname: fc.constantFrom("auth.example.com", "x.test"),
    hostnameAssociated: fc.boolean(),
    ip: fc.oneof(fc.constantFrom("10.1.2.3", "192.0.2.9", "2001:db8::5", "::ffff:10.0.0.1", "garbage", ""), fc.ipV4(), fc.ipV6()),
    email: fc.oneof(fc.constantFrom("a@example.com", "B@EXAMPLE.COM", "x@other.test", ""), fc.emailAddress()),
    serviceTokenId: fc.constantFrom("tok-1", "tok-2", "tok-3", ""),
    certificate: fc.record({
      presented: fc.boolean(),
      valid: fc.boolean(),
      commonName: fc.option(fc.constantFrom("John Doe", "Jane Roe", "john doe"), { nil: null }),
      reason: fc.option(fc.constant("certificate has expired"), { nil: undefined }),
    }),
  },
  { requiredKeys: ["hostname", "hostnameAssociated"] },
);

describe("schema properties", () => {
  it("never throws on arbitrary JSON; always a zod result with string paths and messages", () => {
    /** A refusal says why: at least one issue, each with a message and a path of keys and indexes. */
    const explained = (issues: readonly { message: string; path: readonly PropertyKey[] }[]) => {
      expect(issues.length).toBeGreaterThan(0);
      for (const i of issues) {
        expect(i.message).toMatch(/\S/);
        for (const seg of i.path) expect(["string", "number"]).toContain(typeof seg);
      }
    };
    // Arbitrary JSON, and rules among it (plain JSON alone almost never is one, which would leave the accepting side untested).
    fc.assert(
      fc.property(fc.oneof(fc.jsonValue(), ruleArb), (v) => {
        const r = policyInputSchema.safeParse(v);
        if (r.success) expect(r.data.include.length).toBeGreaterThan(0);
        else explained(r.error.issues);
        const rr = ruleSchema.safeParse(v);
        if (rr.success) {
          // Exactly one selector, and the normalised rule is accepted as it is.
          expect(Object.keys(rr.data)).toHaveLength(1);
          expect(SELECTORS).toContain(Object.keys(rr.data)[0]);
          expect(ruleSchema.parse(rr.data)).toEqual(rr.data);
        } else explained(rr.error.issues);
      }),
      { numRuns: 1000 },
    );
  });
  it("never throws on policy-shaped input with arbitrary rule bodies", () => {
    const ruleish = fc.oneof(
      ruleArb,
      fc.dictionary(fc.constantFrom(...SELECTORS, "geo", "x"), fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())), { maxKeys: 2 }),
    );
    fc.assert(
      fc.property(
        fc.record({ name: fc.oneof(fc.string(), fc.jsonValue()), decision: fc.oneof(fc.constantFrom(...DECISIONS), fc.string()), include: fc.array(ruleish, { maxLength: 4 }), require: fc.array(ruleish, { maxLength: 2 }), session_duration: fc.oneof(fc.string(), fc.constantFrom("24h", "1h30m", "0s")) }, { requiredKeys: [] }),
        (v) => {
          const r = policyInputSchema.safeParse(v);
          if (r.success) {
            expect(r.data.include.length).toBeGreaterThan(0);
            expect(r.data.name.length).toBeGreaterThan(0);
            // accepted output is a fixed point
            expect(policyInputSchema.parse(r.data)).toEqual(r.data);
          }
        },
      ),
      { numRuns: 1000 },
    );
  });
  it("valid generated rules always parse to themselves", () => {
    fc.assert(
      fc.property(ruleArb, (rule) => {
        expect(ruleSchema.parse(rule)).toEqual(rule);
      }),
    );
  });
});

describe("evaluator properties", () => {
  it("never throws, always decides allow|deny, and denies when there are no policies", () => {
    fc.assert(
      fc.property(fc.array(policyArb, { maxLength: 5 }), ctxArb, (policies, ctx) => {
        const d = evaluatePolicies(policies, ctx);
        expect(["allow", "deny"]).toContain(d.decision);
        expect(d.trace).toHaveLength(policies.length);
        if (policies.length === 0) expect(d).toMatchObject({ decision: "deny", outcome: "default_deny", policy: null });
        if (d.policy === null) expect(d.decision).toBe("deny");
        else expect(d.decision).toBe(d.policy.decision === "deny" ? "deny" : "allow");
        describePolicy(policies[0] ?? { decision: "allow", include: [] });
      }),
      { numRuns: 1000 },
    );
  });
  it("the fast path and the traced path agree; the decider is the first matching policy in the trace", () => {
    fc.assert(
      fc.property(fc.array(policyArb, { maxLength: 5 }), ctxArb, (policies, ctx) => {
        const ev = compilePolicies(policies);
        const full = ev.evaluate(ctx);
        const fast = ev.evaluate(ctx, { trace: false });
        expect(fast.decision).toBe(full.decision);
        expect(fast.policy).toEqual(full.policy);
        const first = full.trace.find((t) => t.matched);
        expect(first?.policyId ?? null).toBe(full.policy?.id ?? null);
        const firstIdx = full.trace.findIndex((t) => t.matched);
        full.trace.forEach((t, i) => expect(t.evaluated).toBe(firstIdx < 0 || i <= firstIdx));
      }),
      { numRuns: 1000 },
    );
  });
  it("certificate rules never match without an associated hostname and a presented, valid certificate", () => {
    fc.assert(
      fc.property(fc.array(policyArb, { maxLength: 4 }), ctxArb, (policies, ctx) => {
        const ok = ctx.hostnameAssociated && !!ctx.certificate?.presented && !!ctx.certificate?.valid;
        for (const t of evaluatePolicies(policies, ctx).trace) {
          for (const r of t.rules) if ((r.selector === "certificate" || r.selector === "common_name") && r.matched) expect(ok).toBe(true);
        }
      }),
    );
  });
  it("the decision is what the gateway decides: what it cannot establish (an email without sign-in, a token without service tokens) changes nothing, and the warnings name every rule the trace calls not enforceable", () => {
    fc.assert(
      fc.property(fc.array(policyArb, { maxLength: 5 }), ctxArb, (policies, ctx) => {
        const ev = compilePolicies(policies);
        const bare = {
          ...ctx,
          ...(GATEWAY_CAPABILITIES.includes("sign_in") ? {} : { email: undefined }),
          ...(GATEWAY_CAPABILITIES.includes("service_tokens") ? {} : { serviceTokenId: undefined }),
        };
        const full = ev.evaluate(ctx);
        expect(ev.evaluate(bare, { trace: false }).policy).toEqual(full.policy);
        expect(ev.evaluate(ctx, { trace: false }).policy).toEqual(full.policy);
        for (const t of full.trace) {
          const p = policies.find((x) => x.id === t.policyId)!;
          const warned = new Set(ruleWarnings(p).map((w) => `${w.kind}[${w.index}]`));
          for (const r of t.rules) {
            const dead = /^not enforceable yet: |rules cannot match in a /.test(r.reason);
            if (t.evaluated) expect(warned.has(`${r.kind}[${r.index}]`)).toBe(dead);
            if (warned.has(`${r.kind}[${r.index}]`)) expect(r.matched).toBe(false);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });
  it("a policy without Include rules never matches", () => {
    fc.assert(
      fc.property(policyArb, ctxArb, (p, ctx) => {
        expect(evaluatePolicies([{ ...p, include: [] }], ctx).decision).toBe("deny");
      }),
    );
  });
});

describe("ip and duration properties", () => {
  it("formatIp/parseIp round-trip and every address is in its own /32 or /128 and in /0", () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (s) => {
        const ip = parseIp(s);
        expect(ip).not.toBeNull();
        const text = formatIp(ip!);
        expect(parseIp(text)).toEqual(ip);
        const own = parseCidr(text);
        expect(own.ok && cidrContains(own.cidr, ip!)).toBe(true);
        const all = parseCidr(ip!.version === 4 ? "0.0.0.0/0" : "::/0");
        expect(all.ok && cidrContains(all.cidr, ip!)).toBe(true);
      }),
    );
  });
  it("parseCidr never throws", () => {
    fc.assert(fc.property(fc.string(), (s) => void parseCidr(s)));
  });
  it("formatGoDuration output parses back to the same value (ms precision)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8760 * 3_600_000 }), (ms) => {
        const r = parseGoDuration(formatGoDuration(ms));
        expect(r).toEqual({ ok: true, ms });
      }),
    );
  });
  it("parseGoDuration never throws", () => {
    fc.assert(fc.property(fc.string(), (s) => void parseGoDuration(s)));
  });
});
