/**
 * The sign-in rule of the one decision (./identity): an application whose Allow or Block policies use an email
 * answers `sign_in` to a request without a signed-in email or a service token, unless Bypass or Service Auth decided
 * it; with an email the policies decide as usual.
 */
import { describe, expect, it } from "vitest";
import type { PolicyForEval } from "../policy";
import { compileHost } from "./compile";
import { decide } from "./decide";
import { NO_CERTIFICATE } from "./certificate";
import { policyNeedsIdentity, SIGN_IN_REASON } from "./identity";
import type { AppConfig } from "./types";

const HOST = "wiki.example.com";
const pol = (id: string, decision: PolicyForEval["decision"], include: PolicyForEval["include"], rest: Partial<PolicyForEval> = {}): PolicyForEval => ({ id, name: id, decision, include, precedence: 1, ...rest });
const app = (id: string, path: string, policies: PolicyForEval[]): AppConfig => ({ id, name: id, domain: HOST + path, hostname: HOST, path, policies });
const STAFF = pol("staff", "allow", [{ email_domain: { domain: "example.com" } }]);
const EVERYONE_BUT_EVE = pol("everyone", "allow", [{ everyone: {} }], { exclude: [{ email: { email: "eve@example.com" } }] });
const PUBLIC = pol("public", "bypass", [{ everyone: {} }]);
const TOKEN = pol("token", "non_identity", [{ any_valid_service_token: {} }]);

const h = compileHost({
  hostname: HOST,
  cas: [],
  crls: [],
  forwarding: false,
  apps: [app("wiki", "", [STAFF]), app("open", "/open", [EVERYONE_BUT_EVE]), app("docs", "/docs", [PUBLIC, STAFF]), app("api", "/api", [TOKEN, STAFF]), app("plain", "/plain", [pol("all", "allow", [{ everyone: {} }])])],
});
const at = (path: string, extra: { email?: string; serviceTokenId?: string } = {}) => decide(h, { key: path, path, ...extra }, NO_CERTIFICATE, { trace: true });

describe("lib/access: sign-in", () => {
  it("knows which policies can use an identity (Allow and Block with an email rule; never Bypass or Service Auth)", () => {
    expect(policyNeedsIdentity(STAFF)).toBe(true);
    expect(policyNeedsIdentity(EVERYONE_BUT_EVE)).toBe(true);
    expect(policyNeedsIdentity(pol("block", "deny", [{ everyone: {} }], { require: [{ email: { email: "a@b.c" } }] }))).toBe(true);
    expect(policyNeedsIdentity(pol("sa", "non_identity", [{ email: { email: "a@b.c" } }]))).toBe(false);
    expect(policyNeedsIdentity(pol("bp", "bypass", [{ email_domain: { domain: "b.c" } }]))).toBe(false);
    expect(policyNeedsIdentity(pol("cert", "allow", [{ certificate: {} }]))).toBe(false);
    expect(h.apps.map((a) => [a.app.id, a.needsIdentity])).toEqual(expect.arrayContaining([["wiki", true], ["plain", false]]));
  });

  it("no email: sign_in (401), with the trace of the policies as evaluated without one", () => {
    const d = at("/");
    expect(d).toMatchObject({ outcome: "sign_in", decision: "deny", status: 401, policy: null, reason: SIGN_IN_REASON, identity: null });
    expect(d.trace.map((t) => t.policyId)).toEqual(["staff"]);
  });

  it("an Allow that would let anyone in without an email still asks first (its Exclude on an email could not run)", () => {
    expect(at("/open").outcome).toBe("sign_in");
    expect(at("/open", { email: "eve@example.com" }).outcome).toBe("block");
    expect(at("/open", { email: "bob@example.com" }).outcome).toBe("allow");
  });

  it("with an email the policies decide", () => {
    expect(at("/", { email: "alice@example.com" })).toMatchObject({ outcome: "allow", status: 200, policy: { id: "staff" } });
    expect(at("/", { email: "eve@elsewhere.org" })).toMatchObject({ outcome: "block", status: 403 });
  });

  it("Bypass and Service Auth decide without an email; a service token never gets a sign-in", () => {
    expect(at("/docs").outcome).toBe("bypass");
    expect(at("/api", { serviceTokenId: "t-1" }).outcome).toBe("service_auth");
    expect(at("/api", { serviceTokenId: "t-1" }).status).toBe(200);
    expect(at("/plain").outcome).toBe("allow");
  });
});
