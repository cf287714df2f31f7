import { describe, expect, it } from "vitest";
import {
  DECISION_LABELS,
  SELECTORS,
  SELECTOR_INFO,
  SELECTOR_LABELS,
  formatIssuePath,
  formatZodError,
  formatZodIssues,
  makeRule,
  parseRule,
  policyInputSchema,
  ruleSchema,
  ruleSelector,
  ruleValue,
  selectorTakesValue,
  validateRuleValue,
  type Rule,
} from "@/lib/policy";

function issues(input: unknown) {
  const r = policyInputSchema.safeParse(input);
  expect(r.success).toBe(false);
  return r.success ? [] : formatZodIssues(r.error);
}
const base = { name: "mTLS devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] };

describe("labels", () => {
  it("maps decisions and selectors to dashboard names", () => {
    expect(DECISION_LABELS).toEqual({ allow: "Allow", deny: "Block", bypass: "Bypass", non_identity: "Service Auth" });
    expect(SELECTOR_LABELS).toEqual({
      certificate: "Valid Certificate",
      common_name: "Common Name",
      everyone: "Everyone",
      email: "Emails",
      email_domain: "Emails ending in",
      ip: "IP ranges",
      service_token: "Service Token",
      any_valid_service_token: "Any Access Service Token",
    });
  });
  it("knows which selectors take a value", () => {
    const withValue = SELECTORS.filter(selectorTakesValue);
    expect(withValue).toEqual(["common_name", "email", "email_domain", "ip", "service_token"]);
    expect(SELECTOR_INFO.common_name.field).toBe("common_name");
    expect(SELECTOR_INFO.email_domain.field).toBe("domain");
    expect(SELECTOR_INFO.service_token.field).toBe("token_id");
  });
});

describe("rule shapes accepted (normalised)", () => {
  const ok: [unknown, Rule][] = [
    [{ certificate: {} }, { certificate: {} }],
    [{ common_name: { common_name: "John Doe" } }, { common_name: { common_name: "John Doe" } }],
    [{ common_name: { common_name: "  John Doe " } }, { common_name: { common_name: "John Doe" } }],
    [{ everyone: {} }, { everyone: {} }],
    [{ email: { email: "Test@Example.COM" } }, { email: { email: "Test@example.com" } }],
    [{ email: { email: "a@bücher.example" } }, { email: { email: "a@xn--bcher-kva.example" } }],
    [{ email_domain: { domain: "Example.com" } }, { email_domain: { domain: "example.com" } }],
    [{ email_domain: { domain: "@example.com" } }, { email_domain: { domain: "example.com" } }],
    [{ ip: { ip: "10.0.0.0/8" } }, { ip: { ip: "10.0.0.0/8" } }],
    [{ ip: { ip: "10.0.0.1" } }, { ip: { ip: "10.0.0.1/32" } }],
    [{ ip: { ip: "2001:DB8::1" } }, { ip: { ip: "2001:db8::1/128" } }],
    [{ ip: { ip: "2001:db8::/32" } }, { ip: { ip: "2001:db8::/32" } }],
    [{ service_token: { token_id: "f174e90a-fafe-4643-bbbc-4a0ed4fc8415" } }, { service_token: { token_id: "f174e90a-fafe-4643-bbbc-4a0ed4fc8415" } }],
    [{ any_valid_service_token: {} }, { any_valid_service_token: {} }],
  ];
  it.each(ok)("%j", (input, out) => {
    expect(ruleSchema.parse(input)).toEqual(out);
  });
});

describe("rule shapes refused with specific messages", () => {
  const bad: [unknown, string, string][] = [
    [null, "", `Rule must be an object with exactly one selector key, e.g. {"certificate": {}}`],
    ["certificate", "", "Rule must be an object"],
    [[{ certificate: {} }], "", "Rule must be an object"],
    [{}, "", "Rule is empty: it needs exactly one selector key"],
    [{ email: { email: "a@b.com" }, ip: { ip: "10.0.0.0/8" } }, "", "Rule has 2 selector keys (email, ip); each rule takes exactly one"],
    [{ foo: {} }, "foo", `Unknown selector "foo"`],
    [{ geo: { country_code: "US" } }, "geo", `Selector "geo" is not supported by Portcullis`],
    [{ email_list: { id: "x" } }, "email_list", "is not supported by Portcullis"],
    [{ certificate: true }, "certificate", `Valid Certificate rule must be an object, e.g. {"certificate": {}}`],
    [{ certificate: { x: 1 } }, "certificate.x", `Valid Certificate takes no value: expected {"certificate": {}}`],
    [{ everyone: { all: true } }, "everyone.all", "Everyone takes no value"],
    [{ any_valid_service_token: { token_id: "x" } }, "any_valid_service_token.token_id", "Any Access Service Token takes no value"],
    [{ common_name: "John Doe" }, "common_name", `Common Name rule must be an object, e.g. {"common_name": {"common_name": "John Doe"}}`],
    [{ common_name: {} }, "common_name.common_name", "Common Name is required"],
    [{ common_name: { common_name: "" } }, "common_name.common_name", "Common Name must not be empty"],
    [{ common_name: { common_name: "   " } }, "common_name.common_name", "Common Name must not be empty"],
    [{ common_name: { common_name: 5 } }, "common_name.common_name", "Common Name must be a string"],
    [{ common_name: { common_name: "x".repeat(1025) } }, "common_name.common_name", "Common Name must be at most 1024 characters"],
    [{ common_name: { common_name: "a", cn: "b" } }, "common_name.cn", `Unknown field "cn" in Common Name rule (expected only "common_name")`],
    [{ email: { email: "not-an-email" } }, "email.email", `"not-an-email" is not a valid email address`],
    [{ email: { email: "a@b" } }, "email.email", "is not a valid email address"],
    [{ email: { email: "a b@c.com" } }, "email.email", "is not a valid email address"],
    [{ email: { address: "a@b.com" } }, "email.address", `Unknown field "address" in Emails rule`],
    [{ email_domain: { domain: "" } }, "email_domain.domain", "Emails ending in must not be empty"],
    [{ email_domain: { domain: "not a domain" } }, "email_domain.domain", "is not a valid email domain"],
    [{ email_domain: { domain: "https://example.com/x" } }, "email_domain.domain", "is not a valid email domain"],
    [{ email_domain: { domain: "a@example.com" } }, "email_domain.domain", "is not a valid email domain"],
    [{ ip: { ip: "10.0.0.0/33" } }, "ip.ip", "IPv4 prefixes are 0–32"],
    [{ ip: { ip: "10.1.0.0/8" } }, "ip.ip", "use 10.0.0.0/8"],
    [{ ip: { ip: "office" } }, "ip.ip", "is not a valid IPv4 or IPv6 address or CIDR range"],
    [{ ip: {} }, "ip.ip", "IP ranges is required"],
    [{ service_token: { token_id: "" } }, "service_token.token_id", "Service Token must not be empty"],
    [{ service_token: { id: "x" } }, "service_token.id", `Unknown field "id" in Service Token rule`],
  ];
  it.each(bad)("%j → %s: %s", (input, path, message) => {
    const r = ruleSchema.safeParse(input);
    expect(r.success).toBe(false);
    if (!r.success) {
      const [issue] = formatZodIssues(r.error);
      expect(issue.path).toBe(path);
      expect(issue.message).toContain(message);
    }
  });
});

describe("policyInputSchema", () => {
  it("accepts the Service Auth / Common Name John Doe policy from the docs, with defaults", () => {
    expect(policyInputSchema.parse(base)).toEqual({ ...base, require: [], exclude: [], session_duration: "24h" });
  });
  it("trims the name, keeps a valid session duration, accepts null lists and null duration", () => {
    const out = policyInputSchema.parse({ ...base, name: "  Devices ", require: null, exclude: null, session_duration: null });
    expect(out).toMatchObject({ name: "Devices", require: [], exclude: [], session_duration: "24h" });
    expect(policyInputSchema.parse({ ...base, session_duration: "1h30m" }).session_duration).toBe("1h30m");
    expect(policyInputSchema.parse({ ...base, session_duration: "0s" }).session_duration).toBe("0s");
  });
  it.each(["allow", "deny", "non_identity", "bypass"])("accepts decision %s", (decision) => {
    expect(policyInputSchema.parse({ ...base, decision }).decision).toBe(decision);
  });
  it("strips unknown top-level fields (Cloudflare extras like approval_required)", () => {
    expect(policyInputSchema.parse({ ...base, approval_required: false })).not.toHaveProperty("approval_required");
  });
  it("points every error at its field path", () => {
    expect(issues({ ...base, include: [{ common_name: { common_name: "" } }] })).toEqual([
      { path: "include[0].common_name.common_name", message: "Common Name must not be empty" },
    ]);
    expect(issues({ ...base, exclude: [{ certificate: {} }, { ip: { ip: "x" } }] })[0].path).toBe("exclude[1].ip.ip");
    expect(issues({ ...base, require: [{ everyone: {} }, { a: {}, b: {} }] })[0].path).toBe("require[1]");
  });
  it.each([
    [{ ...base, name: "" }, "name", "Policy name must not be empty"],
    [{ ...base, name: "   " }, "name", "Policy name must not be empty"],
    [{ ...base, name: "x".repeat(351) }, "name", "Policy name must be at most 350 characters"],
    [{ ...base, name: undefined }, "name", "Policy name is required"],
    [{ ...base, decision: "block" }, "decision", `Action must be one of allow (Allow), deny (Block), non_identity (Service Auth) or bypass (Bypass); got "block"`],
    [{ ...base, decision: undefined }, "decision", "got nothing"],
    [{ ...base, include: [] }, "include", "Add at least one Include rule"],
    [{ ...base, include: undefined }, "include", "Include must be a list of rules (at least one)"],
    [{ ...base, include: { certificate: {} } }, "include", "Include must be a list of rules"],
    [{ ...base, require: "x" }, "require", "Require must be a list of rules"],
    [{ ...base, exclude: {} }, "exclude", "Exclude must be a list of rules"],
    [{ ...base, include: Array(1001).fill({ everyone: {} }) }, "include", "Include may have at most 1000 rules"],
    [{ ...base, session_duration: "1d" }, "session_duration", `"1d" is not a valid duration: unknown unit "d"`],
    [{ ...base, session_duration: "-5m" }, "session_duration", "Session duration must not be negative"],
    [{ ...base, session_duration: "9000h" }, "session_duration", "at most 8760h"],
    [{ ...base, session_duration: 24 }, "session_duration", "Session duration must be a string"],
  ])("refuses %#: %s", (input, path, message) => {
    const found = issues(input);
    expect(found[0].path).toBe(path);
    expect(found[0].message).toContain(message);
  });
  it("refuses non-objects at the root", () => {
    expect(issues(null)).toEqual([{ path: "", message: "Policy must be a JSON object" }]);
    expect(issues([base])).toEqual([{ path: "", message: "Policy must be a JSON object" }]);
  });
  it("formatZodError joins path and message per line", () => {
    const r = policyInputSchema.safeParse({ name: "", decision: "allow", include: [{ common_name: { common_name: "" } }] });
    expect(r.success).toBe(false);
    if (!r.success) {
      expect(formatZodError(r.error)).toBe("name: Policy name must not be empty\ninclude[0].common_name.common_name: Common Name must not be empty");
    }
  });
  it("formatIssuePath handles nesting", () => {
    expect(formatIssuePath([])).toBe("");
    expect(formatIssuePath([0])).toBe("[0]");
    expect(formatIssuePath(["a", 1, "b", 2, 3])).toBe("a[1].b[2][3]");
  });
});

describe("row helpers for the UI", () => {
  it.each([
    ["common_name", "John Doe", null],
    ["common_name", "", "Common Name must not be empty"],
    ["email", "user@example.com", null],
    ["email", "user@", `"user@" is not a valid email address`],
    ["email_domain", "example.com", null],
    ["email_domain", "@example.com", null],
    ["email_domain", "example", "is not a valid email domain"],
    ["ip", "10.0.0.0/8", null],
    ["ip", "2001:db8::/32", null],
    ["ip", "10.0.0.0/40", "IPv4 prefixes are 0–32"],
    ["service_token", "abc", null],
    ["service_token", " ", "Service Token must not be empty"],
    ["certificate", undefined, null],
    ["certificate", "", null],
    ["certificate", "x", "Valid Certificate takes no value"],
    ["everyone", undefined, null],
    ["any_valid_service_token", undefined, null],
  ] as const)("validateRuleValue(%s, %j) → %j", (selector, value, expected) => {
    const err = validateRuleValue(selector, value);
    if (expected === null) expect(err).toBeNull();
    else expect(err).toContain(expected);
  });
  it("makeRule / ruleSelector / ruleValue round-trip every selector", () => {
    const values: Record<string, string | undefined> = { common_name: "John Doe", email: "a@b.com", email_domain: "b.com", ip: "10.0.0.0/8", service_token: "tok" };
    for (const selector of SELECTORS) {
      const made = makeRule(selector, values[selector]);
      expect(made.ok).toBe(true);
      if (!made.ok) continue;
      expect(ruleSelector(made.rule)).toBe(selector);
      expect(ruleValue(made.rule)).toBe(values[selector]);
      expect(parseRule(made.rule)).toEqual({ ok: true, rule: made.rule });
    }
    expect(makeRule("ip", "nope")).toMatchObject({ ok: false });
  });
});
