import { describe, expect, it } from "vitest";
import {
  compilePolicies,
  evaluatePolicies,
  orderPolicies,
  type GatewayCapability,
  type PolicyDecision,
  type PolicyForEval,
  type RequestContext,
  type Rule,
} from "@/lib/policy";

const EVERYONE: Rule = { everyone: {} };
const NEVER: Rule = { service_token: { token_id: "never-presented" } };
const CERT: Rule = { certificate: {} };
const CN = (common_name: string): Rule => ({ common_name: { common_name } });
const EMAIL = (email: string): Rule => ({ email: { email } });
const DOMAIN = (domain: string): Rule => ({ email_domain: { domain } });
const IP = (ip: string): Rule => ({ ip: { ip } });

function pol(id: string, decision: PolicyDecision, include: Rule[], precedence = 1, more: Partial<PolicyForEval> = {}): PolicyForEval {
  return { id, name: id, decision, include, require: [], exclude: [], precedence, ...more };
}
const HOST = "auth.example.com";
function ctx(extra: Partial<RequestContext> = {}): RequestContext {
  return { hostname: HOST, hostnameAssociated: true, ...extra };
}
const goodCert = (commonName: string | null = "John Doe") => ({ presented: true, valid: true, commonName });
/** A gateway that can sign users in and check service tokens: how these selectors will match once it can. */
const ALL: { capabilities: GatewayCapability[] } = { capabilities: ["sign_in", "service_tokens"] };

describe("deny by default", () => {
  it("denies when there are no policies", () => {
    expect(evaluatePolicies([], ctx())).toEqual({ decision: "deny", outcome: "default_deny", policy: null, reason: "Denied by default: no policy matched", trace: [] });
  });
  it("denies when no policy matches, with a trace for each", () => {
    const d = evaluatePolicies([pol("a", "allow", [NEVER]), pol("b", "non_identity", [CERT])], ctx());
    expect(d.outcome).toBe("default_deny");
    expect(d.trace.map((t) => [t.policyId, t.evaluated, t.matched])).toEqual([["b", true, false], ["a", true, false]]);
  });
});

describe("include OR / require AND / exclude NOT", () => {
  type Case = [string, Rule[], Rule[], Rule[], boolean];
  const cases: Case[] = [];
  const incs: [string, Rule[]][] = [["inc:none-match", [NEVER, NEVER]], ["inc:second-matches", [NEVER, EVERYONE]], ["inc:first-matches", [EVERYONE, NEVER]]];
  const reqs: [string, Rule[]][] = [["req:empty", []], ["req:all-match", [EVERYONE, EVERYONE]], ["req:one-fails", [EVERYONE, NEVER]], ["req:all-fail", [NEVER]]];
  const excs: [string, Rule[]][] = [["exc:empty", []], ["exc:none-match", [NEVER, NEVER]], ["exc:one-matches", [NEVER, EVERYONE]]];
  for (const [a, inc] of incs)
    for (const [b, req] of reqs)
      for (const [c, exc] of excs) {
        const expected = inc.includes(EVERYONE) && !req.includes(NEVER) && !exc.includes(EVERYONE);
        cases.push([`${a} ${b} ${c}`, inc, req, exc, expected]);
      }
  it.each(cases)("%s → matched %s", (_label, include, require, exclude, expected) => {
    const d = evaluatePolicies([pol("p", "allow", include, 1, { require, exclude })], ctx());
    expect(d.trace[0].matched).toBe(expected);
    expect(d.decision).toBe(expected ? "allow" : "deny");
    expect(d.outcome).toBe(expected ? "allow" : "default_deny");
    expect(evaluatePolicies([pol("p", "allow", include, 1, { require, exclude })], ctx(), { trace: false }).decision).toBe(d.decision);
  });
  it("explains which part failed", () => {
    const t = (p: PolicyForEval) => evaluatePolicies([p], ctx()).trace[0].reason;
    expect(t(pol("p", "allow", [NEVER, NEVER]))).toBe("no Include rule matched");
    expect(t(pol("p", "allow", [NEVER]))).toBe("Include rule did not match: no service token presented");
    expect(t(pol("p", "allow", [EVERYONE], 1, { require: [EVERYONE, IP("10.0.0.0/8")] }))).toBe("Require rule 2 (IP ranges) did not match: client IP address unknown");
    expect(t(pol("p", "allow", [EVERYONE], 1, { exclude: [NEVER, EVERYONE] }))).toBe("Exclude rule 2 (Everyone) matched: Everyone matches every request");
    expect(t(pol("p", "allow", [EVERYONE]))).toBe("matched: Everyone matches every request");
    expect(t(pol("p", "allow", []))).toBe("the policy has no Include rules, so it cannot match");
  });
});

describe("ordering: Bypass and Service Auth first, then precedence", () => {
  it("Service Auth decides before a higher-precedence Allow", () => {
    const d = evaluatePolicies([pol("allow", "allow", [EVERYONE], 1), pol("sa", "non_identity", [EVERYONE], 5)], ctx());
    expect(d).toMatchObject({ decision: "allow", outcome: "service_auth", policy: { id: "sa", decision: "non_identity" } });
  });
  it("Bypass decides before a higher-precedence Block", () => {
    const d = evaluatePolicies([pol("block", "deny", [EVERYONE], 1), pol("bp", "bypass", [EVERYONE], 10)], ctx());
    expect(d).toMatchObject({ decision: "allow", outcome: "bypass", policy: { id: "bp" } });
    expect(d.reason).toBe(`Allowed by Bypass policy "bp"`);
  });
  it("orders Bypass and Service Auth among themselves by precedence", () => {
    const ps = [pol("sa", "non_identity", [EVERYONE], 2), pol("bp", "bypass", [EVERYONE], 1)];
    expect(evaluatePolicies(ps, ctx()).policy?.id).toBe("bp");
    ps[1].precedence = 3;
    expect(evaluatePolicies(ps, ctx()).policy?.id).toBe("sa");
  });
  it("orders the rest by precedence, ties by input order", () => {
    const ps = [pol("d3", "deny", [EVERYONE], 3), pol("a1", "allow", [NEVER], 1), pol("a2", "allow", [EVERYONE], 2), pol("s9", "non_identity", [NEVER], 9), pol("b9", "bypass", [NEVER], 9)];
    expect(orderPolicies(ps).map((p) => p.id)).toEqual(["s9", "b9", "a1", "a2", "d3"]);
    expect(evaluatePolicies(ps, ctx()).policy?.id).toBe("a2");
  });
  it("Block decides deny when it comes first; Allow when it comes first", () => {
    const block = pol("block", "deny", [EVERYONE], 1);
    const allow = pol("allow", "allow", [EVERYONE], 2);
    expect(evaluatePolicies([allow, block], ctx())).toMatchObject({ decision: "deny", outcome: "block", reason: `Blocked by Block policy "block"` });
    block.precedence = 3;
    expect(evaluatePolicies([allow, block], ctx())).toMatchObject({ decision: "allow", outcome: "allow" });
  });
  it("a matching Block still lets an earlier Service Auth decide", () => {
    const d = evaluatePolicies([pol("block", "deny", [EVERYONE], 1), pol("sa", "non_identity", [CN("John Doe")], 2)], ctx({ certificate: goodCert() }));
    expect(d.outcome).toBe("service_auth");
    const d2 = evaluatePolicies([pol("block", "deny", [EVERYONE], 1), pol("sa", "non_identity", [CN("John Doe")], 2)], ctx({ certificate: goodCert("Jane Roe") }));
    expect(d2.outcome).toBe("block");
  });
  it("non-finite precedence sorts last", () => {
    const ps = [pol("nan", "allow", [EVERYONE], Number.NaN), pol("one", "allow", [EVERYONE], 1)];
    expect(orderPolicies(ps).map((p) => p.id)).toEqual(["one", "nan"]);
  });
});

describe("certificate selectors need an associated hostname and a presented, valid certificate", () => {
  const combos: [boolean, boolean, boolean][] = [];
  for (const a of [true, false]) for (const p of [true, false]) for (const v of [true, false]) combos.push([a, p, v]);
  for (const rule of [CERT, CN("John Doe")]) {
    it.each(combos)(`${Object.keys(rule)[0]}: associated=%s presented=%s valid=%s`, (associated, presented, valid) => {
      const d = evaluatePolicies(
        [pol("p", "non_identity", [rule])],
        ctx({ hostnameAssociated: associated, certificate: { presented, valid, commonName: "John Doe", reason: valid ? undefined : "certificate has expired" } }),
      );
      const expected = associated && presented && valid;
      expect(d.decision).toBe(expected ? "allow" : "deny");
      const reason = d.trace[0].rules[0].reason;
      if (!associated) expect(reason).toBe(`hostname ${HOST} is not an associated hostname of any mTLS certificate`);
      else if (!presented) expect(reason).toBe("no client certificate presented");
      else if (!valid) expect(reason).toBe("client certificate invalid: certificate has expired");
      else expect(reason).toBe("common_name" in rule ? `Common Name is "John Doe"` : "valid client certificate presented");
    });
  }
  it("treats a missing certificate as not presented and a missing invalid reason generically", () => {
    expect(evaluatePolicies([pol("p", "allow", [CERT])], ctx()).trace[0].rules[0].reason).toBe("no client certificate presented");
    const d = evaluatePolicies([pol("p", "allow", [CERT])], ctx({ certificate: { presented: true, valid: false } }));
    expect(d.trace[0].rules[0].reason).toBe("client certificate invalid: it does not validate against the hostname's CAs");
  });
  it.each([
    ["John Doe", true, `Common Name is "John Doe"`],
    ["john doe", false, `Common Name is "john doe", expected "John Doe"`],
    ["JOHN DOE", false, `Common Name is "JOHN DOE", expected "John Doe"`],
    ["John Doe ", false, `Common Name is "John Doe ", expected "John Doe"`],
    ["John  Doe", false, `Common Name is "John  Doe", expected "John Doe"`],
    ["Jane Roe", false, `Common Name is "Jane Roe", expected "John Doe"`],
    [null, false, `client certificate has no Common Name, expected "John Doe"`],
  ])("Common Name %j exact match → %s", (cn, matched, reason) => {
    const d = evaluatePolicies([pol("p", "non_identity", [CN("John Doe")])], ctx({ certificate: goodCert(cn) }));
    expect(d.trace[0].rules[0]).toMatchObject({ selector: "common_name", label: "Common Name", value: "John Doe", matched, reason });
  });
});

describe("IP ranges", () => {
  it.each([
    ["10.0.0.0/8", "10.20.30.40", true, "client IP 10.20.30.40 is in 10.0.0.0/8"],
    ["10.0.0.0/8", "11.0.0.1", false, "client IP 11.0.0.1 is not in 10.0.0.0/8"],
    ["10.0.0.0/8", "::ffff:10.0.0.1", true, "client IP 10.0.0.1 is in 10.0.0.0/8"],
    ["192.0.2.1", "192.0.2.1", true, "client IP 192.0.2.1 is in 192.0.2.1/32"],
    ["2001:db8::/32", "2001:DB8:0::1", true, "client IP 2001:db8::1 is in 2001:db8::/32"],
    ["2001:db8::/32", "2001:db9::1", false, "client IP 2001:db9::1 is not in 2001:db8::/32"],
    ["2001:db8::/32", "10.0.0.1", false, "client IP 10.0.0.1 is not in 2001:db8::/32"],
    ["10.0.0.0/8", "not-an-ip", false, `client IP "not-an-ip" is not a valid IP address`],
    ["10.0.0.0/8", undefined, false, "client IP address unknown"],
  ])("%s vs %s → %s", (range, ip, matched, reason) => {
    const d = evaluatePolicies([pol("p", "allow", [IP(range)])], ctx({ ip }));
    expect(d.trace[0].rules[0]).toMatchObject({ matched, reason });
  });
});

describe("identity selectors", () => {
  it.each([
    [EMAIL("user@example.com"), "user@example.com", true],
    [EMAIL("user@example.com"), "USER@Example.COM", true],
    [EMAIL("User@Example.com"), "user@example.com", true],
    [EMAIL("user@example.com"), "other@example.com", false],
    [DOMAIN("example.com"), "a@example.com", true],
    [DOMAIN("example.com"), "A@EXAMPLE.COM", true],
    [DOMAIN("example.com"), "a@sub.example.com", false],
    [DOMAIN("example.com"), "a@notexample.com", false],
    [DOMAIN("example.com"), "example.com@evil.test", false],
    [EMAIL("user@example.com"), undefined, false],
    [DOMAIN("example.com"), "", false],
  ])("%j with email %j → %s", (rule, email, matched) => {
    expect(evaluatePolicies([pol("p", "allow", [rule])], ctx({ email }), ALL).decision).toBe(matched ? "allow" : "deny");
  });
  it("explains a missing email and a mismatch", () => {
    expect(evaluatePolicies([pol("p", "allow", [EMAIL("a@b.com")])], ctx(), ALL).trace[0].rules[0].reason).toBe("no authenticated user email in the request");
    expect(evaluatePolicies([pol("p", "allow", [DOMAIN("b.com")])], ctx({ email: "x@c.com" }), ALL).trace[0].rules[0].reason).toBe("email x@c.com does not end in @b.com");
  });
  it("never match in a Service Auth policy, wherever they appear", () => {
    const c = ctx({ email: "a@example.com", certificate: goodCert() });
    const inc = evaluatePolicies([pol("p", "non_identity", [EMAIL("a@example.com")])], c, ALL);
    expect(inc.decision).toBe("deny");
    expect(inc.trace[0].rules[0].reason).toBe("Emails rules cannot match in a Service Auth policy, which evaluates only non-identity selectors");
    expect(evaluatePolicies([pol("p", "non_identity", [CERT], 1, { require: [DOMAIN("example.com")] })], c, ALL).decision).toBe("deny");
    expect(evaluatePolicies([pol("p", "non_identity", [CERT], 1, { exclude: [EMAIL("a@example.com")] })], c, ALL).decision).toBe("allow");
    expect(evaluatePolicies([pol("p", "allow", [CERT], 1, { exclude: [EMAIL("a@example.com")] })], c, ALL).decision).toBe("deny");
  });
  it("never match in a Bypass policy", () => {
    const d = evaluatePolicies([pol("p", "bypass", [DOMAIN("example.com")])], ctx({ email: "a@example.com" }), ALL);
    expect(d.decision).toBe("deny");
    expect(d.trace[0].rules[0].reason).toBe("Emails ending in rules cannot match in a Bypass policy, which does not authenticate users");
  });
});

describe("service tokens", () => {
  const tok: Rule = { service_token: { token_id: "tok-1" } };
  it.each([
    [tok, "tok-1", true, "service token tok-1 presented"],
    [tok, "tok-2", false, "service token tok-2 presented, expected tok-1"],
    [tok, undefined, false, "no service token presented"],
    [{ any_valid_service_token: {} } as Rule, "tok-9", true, "valid service token tok-9 presented"],
    [{ any_valid_service_token: {} } as Rule, undefined, false, "no service token presented"],
  ])("%j with %j → %s", (rule, serviceTokenId, matched, reason) => {
    const d = evaluatePolicies([pol("p", "non_identity", [rule])], ctx({ serviceTokenId }), ALL);
    expect(d.decision).toBe(matched ? "allow" : "deny");
    expect(d.trace[0].rules[0].reason).toBe(reason);
  });
});

describe("trace", () => {
  it("lists every policy in evaluation order and marks those after the decider as not evaluated", () => {
    const ps = [pol("allow", "allow", [EVERYONE], 2, { require: [CERT] }), pol("sa", "non_identity", [CN("John Doe")], 1), pol("block", "deny", [EVERYONE], 3)];
    const d = evaluatePolicies(ps, ctx({ certificate: goodCert("Jane Roe") }));
    expect(d.policy).toEqual({ id: "allow", name: "allow", decision: "allow" });
    expect(d.trace.map((t) => [t.order, t.policyId, t.evaluated, t.matched])).toEqual([[1, "sa", true, false], [2, "allow", true, true], [3, "block", false, false]]);
    expect(d.trace[0].reason).toBe(`Include rule did not match: Common Name is "Jane Roe", expected "John Doe"`);
    expect(d.trace[1].rules).toEqual([
      { kind: "include", index: 0, selector: "everyone", label: "Everyone", matched: true, reason: "Everyone matches every request" },
      { kind: "require", index: 0, selector: "certificate", label: "Valid Certificate", matched: true, reason: "valid client certificate presented" },
    ]);
    expect(d.trace[2]).toMatchObject({ reason: `not evaluated: policy "allow" decided first`, rules: [{ kind: "include", matched: false, reason: "not evaluated" }] });
  });
  it("trace:false returns the same decision with an empty trace", () => {
    const ev = compilePolicies([pol("sa", "non_identity", [CN("John Doe")])]);
    expect(ev.evaluate(ctx({ certificate: goodCert() }), { trace: false })).toMatchObject({ decision: "allow", outcome: "service_auth", trace: [] });
    expect(ev.ordered.map((p) => p.id)).toEqual(["sa"]);
  });
  it("does not throw on malformed rules from storage; they never match", () => {
    const bad = { id: "x", name: "x", decision: "allow", include: [{ geo: { country_code: "US" } }, null, { ip: { ip: "bogus" } }], precedence: 1 } as unknown as PolicyForEval;
    const d = evaluatePolicies([bad], ctx({ ip: "10.0.0.1" }));
    expect(d.decision).toBe("deny");
    expect(d.trace[0].rules.every((r) => !r.matched && r.reason.startsWith("invalid rule: "))).toBe(true);
  });
});

// Throughput is measured in bench/ (npm run bench), not asserted here.
describe("compiled evaluator", () => {
  it("gives the same decision on every call (no state carried between evaluations)", () => {
    const ev = compilePolicies([
      pol("bp", "bypass", [IP("192.0.2.0/24")], 1),
      pol("sa", "non_identity", [CN("John Doe"), CN("Jane Roe")], 2, { exclude: [IP("10.9.0.0/16")] }),
      pol("allow", "allow", [DOMAIN("example.com")], 3, { require: [CERT] }),
      pol("block", "deny", [EVERYONE], 4),
    ], ALL);
    const c = ctx({ ip: "10.1.2.3", email: "a@example.com", certificate: goodCert("Someone Else") });
    for (let i = 0; i < 1000; i++) expect(ev.evaluate(c).policy?.id).toBe("allow");
  });
});

describe("selectors the gateway cannot enforce yet", () => {
  const TOKEN: Rule = { service_token: { token_id: "tok-1" } };
  const ANY_TOKEN: Rule = { any_valid_service_token: {} };
  // Everything a caller could put in the request: for a gateway with neither sign-in nor service tokens (the
  // mechanism; which capabilities the real gateway has is GATEWAY_CAPABILITIES, tested below), none of it counts.
  const loaded = ctx({ email: "a@example.com", serviceTokenId: "tok-1", certificate: goodCert() });
  const NONE: { capabilities: GatewayCapability[] } = { capabilities: [] };

  it.each([
    [EMAIL("a@example.com"), "needs sign-in at the gateway"],
    [DOMAIN("example.com"), "needs sign-in at the gateway"],
    [TOKEN, "needs service tokens at the gateway"],
    [ANY_TOKEN, "needs service tokens at the gateway"],
  ])("%j never matches, even with an email and a token in the request, and the trace says why", (rule, needs) => {
    const d = evaluatePolicies([pol("p", "allow", [rule])], loaded, NONE);
    expect(d.decision).toBe("deny");
    expect(d.outcome).toBe("default_deny");
    expect(d.trace[0].rules[0]).toMatchObject({ matched: false, reason: `not enforceable yet: ${needs}` });
    expect(d.trace[0].reason).toBe(`Include rule did not match: not enforceable yet: ${needs}`);
    expect(evaluatePolicies([pol("p", "allow", [rule])], loaded, { ...NONE, trace: false }).decision).toBe("deny");
  });
  it("a Require of one makes the policy never match; the next policy decides", () => {
    const d = evaluatePolicies([pol("p", "non_identity", [CERT], 1, { require: [ANY_TOKEN] }), pol("block", "deny", [EVERYONE], 2)], loaded, NONE);
    expect(d.policy?.id).toBe("block");
    expect(d.trace[0].reason).toBe("Require rule 1 (Any Access Service Token) did not match: not enforceable yet: needs service tokens at the gateway");
  });
  it("an Exclude of one never excludes", () => {
    const d = evaluatePolicies([pol("p", "allow", [CERT], 1, { exclude: [EMAIL("a@example.com"), TOKEN] })], loaded, NONE);
    expect(d.policy?.id).toBe("p");
    expect(d.trace[0].rules.slice(1).map((r) => [r.kind, r.matched, r.reason])).toEqual([
      ["exclude", false, "not enforceable yet: needs sign-in at the gateway"],
      ["exclude", false, "not enforceable yet: needs service tokens at the gateway"],
    ]);
  });
  it("identity rules in Bypass / Service Auth keep the more specific reason (they will never match there)", () => {
    const d = evaluatePolicies([pol("p", "bypass", [EMAIL("a@example.com")])], loaded, NONE);
    expect(d.trace[0].rules[0].reason).toBe("Emails rules cannot match in a Bypass policy, which does not authenticate users");
  });
  it("the gateway checks service tokens (GATEWAY_CAPABILITIES): their rules match a presented token by default", () => {
    expect(evaluatePolicies([pol("p", "non_identity", [TOKEN])], loaded).decision).toBe("allow");
    expect(evaluatePolicies([pol("p", "non_identity", [ANY_TOKEN])], loaded, { trace: false }).decision).toBe("allow");
    expect(evaluatePolicies([pol("p", "non_identity", [TOKEN])], ctx({ serviceTokenId: "tok-2" })).trace[0].rules[0].reason).toBe("service token tok-2 presented, expected tok-1");
  });
  it("with a capability the selector is evaluated again (the registry is the single switch)", () => {
    expect(evaluatePolicies([pol("p", "allow", [EMAIL("a@example.com")])], loaded, { capabilities: ["sign_in"] }).decision).toBe("allow");
    expect(evaluatePolicies([pol("p", "allow", [TOKEN])], loaded, { capabilities: ["sign_in"] }).trace[0].rules[0].reason).toBe("not enforceable yet: needs service tokens at the gateway");
  });
});
