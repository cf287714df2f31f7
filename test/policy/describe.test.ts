import { describe, expect, it } from "vitest";
import { describePolicy, describeRule, policyWarnings, usesCertificateSelectors, type Rule } from "@/lib/policy";

describe("describePolicy", () => {
  it.each([
    [
      { decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] },
      `Service Auth: lets in requests whose client certificate has Common Name "John Doe".`,
    ],
    [{ decision: "non_identity", include: [{ certificate: {} }] }, "Service Auth: lets in requests with a valid client certificate."],
    [{ decision: "allow", include: [{ everyone: {} }] }, "Allow: lets in every request."],
    [{ decision: "deny", include: [{ ip: { ip: "203.0.113.0/24" } }] }, "Block: blocks requests from IP range 203.0.113.0/24."],
    [{ decision: "bypass", include: [{ ip: { ip: "10.0.0.0/8" } }] }, "Bypass: lets in, without any Access checks, requests from IP range 10.0.0.0/8."],
    [
      { decision: "allow", include: [{ email: { email: "a@x.com" } }, { email: { email: "b@x.com" } }, { email: { email: "c@x.com" } }] },
      "Allow: lets in requests from a@x.com, b@x.com or c@x.com.",
    ],
    [
      { decision: "allow", include: [{ email_domain: { domain: "x.com" } }, { email_domain: { domain: "y.com" } }] },
      "Allow: lets in requests from emails ending in @x.com or @y.com.",
    ],
    [
      {
        decision: "allow",
        include: [{ email_domain: { domain: "example.com" } }],
        require: [{ certificate: {} }, { ip: { ip: "10.0.0.0/8" } }],
        exclude: [{ email: { email: "intern@example.com" } }],
      },
      "Allow: lets in requests from emails ending in @example.com, only when also with a valid client certificate and from IP range 10.0.0.0/8, except requests from intern@example.com.",
    ],
    [
      { decision: "non_identity", include: [{ service_token: { token_id: "tok-1" } }, { any_valid_service_token: {} }] },
      "Service Auth: lets in requests carrying service token tok-1 or carrying any valid Access service token.",
    ],
    [
      { decision: "non_identity", include: [{ everyone: {} }], exclude: [{ common_name: { common_name: "Revoked Device" } }] },
      `Service Auth: lets in every request, except requests whose client certificate has Common Name "Revoked Device".`,
    ],
    [{ decision: "allow", include: [] }, "Allow: has no Include rules, so it never matches."],
  ] as const)("%#: %s", (policy, text) => {
    expect(describePolicy(policy as unknown as Parameters<typeof describePolicy>[0])).toBe(text);
  });
  it("ignores malformed rules instead of throwing", () => {
    const p = { decision: "allow", include: [{ bogus: {} } as unknown as Rule, { everyone: {} }] } as const;
    expect(describePolicy(p)).toBe("Allow: lets in every request.");
  });
  it("describes each rule", () => {
    expect(describeRule({ common_name: { common_name: "John Doe" } })).toBe(`whose client certificate has Common Name "John Doe"`);
    expect(describeRule({ any_valid_service_token: {} })).toBe("carrying any valid Access service token");
  });
});

describe("warnings", () => {
  it("flags identity selectors in Service Auth and Bypass policies", () => {
    const w = policyWarnings({ decision: "non_identity", include: [{ email: { email: "a@b.com" } }], exclude: [{ email_domain: { domain: "b.com" } }] });
    expect(w).toHaveLength(2);
    expect(w[0]).toContain("Emails rules never match in a Service Auth policy");
    expect(w[1]).toContain("Emails ending in rules never match in a Service Auth policy");
    expect(policyWarnings({ decision: "bypass", include: [{ email: { email: "a@b.com" } }] })[0]).toContain("in a Bypass policy");
    expect(policyWarnings({ decision: "allow", include: [{ email: { email: "a@b.com" } }] })).toEqual([]);
  });
  it("flags certificate selectors (need an mTLS hostname) and Bypass by certificate", () => {
    expect(usesCertificateSelectors({ include: [{ everyone: {} }], require: [{ certificate: {} }] })).toBe(true);
    expect(usesCertificateSelectors({ include: [{ everyone: {} }], exclude: [{ common_name: { common_name: "x" } }] })).toBe(true);
    expect(usesCertificateSelectors({ include: [{ ip: { ip: "10.0.0.0/8" } }] })).toBe(false);
    const w = policyWarnings({ decision: "bypass", include: [{ certificate: {} }] });
    expect(w).toHaveLength(2);
    expect(w[0]).toContain("associated hostname of an mTLS certificate");
    expect(w[1]).toContain("Service Auth is usually what you want");
  });
});
