import { describe, expect, it } from "vitest";
import {
  GATEWAY_CAPABILITIES,
  SELECTORS,
  SELECTOR_INFO,
  policyNeeds,
  ruleNotice,
  ruleWarnings,
  selectorEnforceable,
  selectorNeeds,
  type Rule,
} from "@/lib/policy";

const EMAIL: Rule = { email: { email: "a@example.com" } };
const DOMAIN: Rule = { email_domain: { domain: "example.com" } };
const TOKEN: Rule = { service_token: { token_id: "tok-1" } };
const ANY_TOKEN: Rule = { any_valid_service_token: {} };
const CERT: Rule = { certificate: {} };

describe("the selector registry says which selectors the gateway enforces", () => {
  it("the gateway checks service tokens and signs people in: no selector is unenforceable", () => {
    expect([...GATEWAY_CAPABILITIES].sort()).toEqual(["service_tokens", "sign_in"]);
    expect(SELECTORS.filter((s) => !selectorEnforceable(s))).toEqual([]);
  });
  it.each([
    ["certificate", null],
    ["common_name", null],
    ["everyone", null],
    ["ip", null],
    ["email", null],
    ["email_domain", null],
    ["service_token", null],
    ["any_valid_service_token", null],
  ] as const)("%s: %s", (selector, needs) => {
    expect(selectorNeeds(selector)).toBe(needs);
    expect(selectorEnforceable(selector)).toBe(needs === null);
  });
  it.each([
    ["email", "needs sign-in at the gateway"],
    ["email_domain", "needs sign-in at the gateway"],
    ["service_token", "needs service tokens at the gateway"],
    ["any_valid_service_token", "needs service tokens at the gateway"],
  ] as const)("without the capability, %s: %s", (selector, needs) => {
    expect(selectorNeeds(selector, [])).toBe(needs);
    expect(selectorEnforceable(selector, [])).toBe(false);
  });
  it("every selector declares what it requires, and a capability lifts exactly its selectors", () => {
    for (const s of SELECTORS) expect(SELECTOR_INFO[s]).toHaveProperty("requires");
    expect(SELECTORS.filter((s) => !selectorEnforceable(s, ["sign_in"]))).toEqual(["service_token", "any_valid_service_token"]);
    expect(SELECTORS.filter((s) => !selectorEnforceable(s, ["sign_in", "service_tokens"]))).toEqual([]);
  });
});

describe("ruleWarnings", () => {
  it("names the rule, its group and what it does to the decision", () => {
    const w = ruleWarnings({ decision: "allow", include: [CERT, EMAIL], require: [ANY_TOKEN], exclude: [DOMAIN, TOKEN] }, []);
    expect(w.map((x) => [x.path, x.selector, x.cause, x.needs, x.effect])).toEqual([
      ["include[1]", "email", "not_enforceable", "needs sign-in at the gateway", "never_matches"],
      ["require[0]", "any_valid_service_token", "not_enforceable", "needs service tokens at the gateway", "policy_never_matches"],
      ["exclude[0]", "email_domain", "not_enforceable", "needs sign-in at the gateway", "never_excludes"],
      ["exclude[1]", "service_token", "not_enforceable", "needs service tokens at the gateway", "never_excludes"],
    ]);
    expect(w.map((x) => x.message)).toEqual([
      "include[1] email: needs sign-in at the gateway; this rule never matches until identity sign-in is enabled",
      "require[0] any_valid_service_token: needs service tokens at the gateway; this policy never matches until service tokens are enabled at the gateway",
      "exclude[0] email_domain: needs sign-in at the gateway; this rule never excludes anyone until identity sign-in is enabled",
      "exclude[1] service_token: needs service tokens at the gateway; this rule never excludes anyone until service tokens are enabled at the gateway",
    ]);
    expect(w[0].text).toBe("Needs sign-in at the gateway: the gateway cannot sign users in yet, so this Include rule never matches.");
    expect(w[1].text).toBe("Needs service tokens at the gateway: the gateway does not check service tokens yet, so this Require rule never passes and the whole policy never matches.");
    expect(w[2].text).toBe("Needs sign-in at the gateway: the gateway cannot sign users in yet, so this Exclude rule never excludes anyone.");
  });
  it("identity rules in Bypass and Service Auth policies are never evaluated, whatever the gateway can do", () => {
    for (const capabilities of [[], ["sign_in", "service_tokens"]] as const) {
      const w = ruleWarnings({ decision: "bypass", include: [DOMAIN] }, capabilities);
      expect(w).toHaveLength(1);
      expect(w[0]).toMatchObject({ cause: "identity_not_evaluated", needs: null, effect: "never_matches" });
      expect(w[0].message).toBe("include[0] email_domain: not evaluated in a Bypass policy (it does not authenticate users); this rule never matches");
    }
    expect(ruleWarnings({ decision: "non_identity", include: [CERT], require: [EMAIL] })[0].text).toBe(
      "Not evaluated in a Service Auth policy: it evaluates only non-identity selectors, so this Require rule never passes and the whole policy never matches.",
    );
  });
  it("is empty for enforceable policies, once the gateway has the capability, and skips malformed rules", () => {
    expect(ruleWarnings({ decision: "non_identity", include: [CERT, { common_name: { common_name: "x" } }, { ip: { ip: "10.0.0.0/8" } }, { everyone: {} }] })).toEqual([]);
    expect(ruleWarnings({ decision: "allow", include: [EMAIL, TOKEN] }, ["sign_in", "service_tokens"])).toEqual([]);
    expect(ruleWarnings({ decision: "allow", include: [null, { geo: {} }, "x", { email: { email: "" } }], require: null })).toEqual([]);
  });
  it("policyNeeds lists each missing capability once", () => {
    expect(policyNeeds({ decision: "allow", include: [EMAIL, DOMAIN], exclude: [TOKEN] }, [])).toEqual(["needs sign-in at the gateway", "needs service tokens at the gateway"]);
    expect(policyNeeds({ decision: "non_identity", include: [TOKEN], require: [ANY_TOKEN] })).toEqual([]);
    expect(policyNeeds({ decision: "bypass", include: [EMAIL] })).toEqual([]);
  });
});

describe("ruleNotice (the editor's inline note)", () => {
  it("starts with what the gateway needs and says what the rule does", () => {
    expect(ruleNotice("email", "include", "allow", [])).toMatch(/^Needs sign-in at the gateway: .* this Include rule never matches\.$/);
    expect(ruleNotice("email", "include")).toBeNull();
    expect(ruleNotice("service_token", "exclude", "allow", [])).toMatch(/^Needs service tokens at the gateway: .* this Exclude rule never excludes anyone\.$/);
    expect(ruleNotice("service_token", "exclude")).toBeNull();
    expect(ruleNotice("email_domain", "include", "bypass")).toMatch(/^Not evaluated in a Bypass policy/);
    expect(ruleNotice("common_name", "include")).toBeNull();
  });
});
