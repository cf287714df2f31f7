/**
 * lib/access and service tokens: what presented credentials come to at an instant (unknown, wrong secret, disabled,
 * expired, a rotated-out secret inside and past its grace period), and where the decision puts a refusal (401 after
 * the application is found, before any policy; 404 and 421 still first).
 */
import { describe, expect, it } from "vitest";
import { compileHost, decide, normalizeTarget, serviceTokenRequest, serviceTokenVerdict, type AppConfig, type ServiceTokenState } from "@/lib/access";
import type { PolicyForEval } from "@/lib/policy";

const NOW = Date.parse("2026-06-01T12:00:00Z");
const token = (over: Partial<ServiceTokenState> = {}): ServiceTokenState => ({
  id: "3537a672-e4d8-4d89-aab9-26cb622918a1",
  name: "CI",
  clientId: `${"a".repeat(32)}.access`,
  enabled: true,
  expiresAt: NOW + 1000,
  previousSecretExpiresAt: null,
  ...over,
});

describe("serviceTokenVerdict", () => {
  it.each([
    ["the current secret", token(), "current", true, null],
    ["a never-expiring token", token({ expiresAt: null }), "current", true, null],
    ["the previous secret inside its grace period", token({ previousSecretExpiresAt: NOW + 1 }), "previous", true, null],
    ["an unknown Client ID", null, "none", false, "no service token has this Client ID"],
    ["a wrong secret", token(), "none", false, 'wrong Client Secret for service token "CI"'],
    ["the previous secret past its grace period", token({ previousSecretExpiresAt: NOW }), "previous", false, 'the Client Secret of service token "CI" was rotated and the previous one is no longer accepted since 2026-06-01T12:00:00Z'],
    ["a disabled token", token({ enabled: false }), "current", false, 'service token "CI" is disabled'],
    ["a disabled token, even in a grace period", token({ enabled: false, previousSecretExpiresAt: NOW + 1 }), "previous", false, 'service token "CI" is disabled'],
    ["an expired token (at its expiry instant)", token({ expiresAt: NOW }), "current", false, 'service token "CI" expired on 2026-06-01T12:00:00Z'],
  ] as const)("%s", (_label, t, match, ok, reason) => {
    const v = serviceTokenVerdict(t, match, NOW);
    expect(v.ok).toBe(ok);
    if (!v.ok) expect(v.reason).toBe(reason);
    expect(serviceTokenRequest(v)).toEqual(ok ? { serviceTokenId: t!.id } : { credentialError: reason });
  });
  it("tells only a holder of one of the token's secrets why it was refused", () => {
    const proven = (t: ServiceTokenState | null, m: "current" | "previous" | "none") => {
      const v = serviceTokenVerdict(t, m, NOW);
      return v.ok ? null : v.proven;
    };
    expect(proven(null, "none")).toBe(false);
    expect(proven(token(), "none")).toBe(false);
    expect(proven(token({ enabled: false }), "current")).toBe(true);
    expect(proven(token({ expiresAt: NOW - 1 }), "current")).toBe(true);
    expect(proven(token({ previousSecretExpiresAt: NOW - 1 }), "previous")).toBe(true);
  });
});

describe("decide with service-token credentials", () => {
  const HOST = "api.example.com";
  const TOKEN_ID = token().id;
  const pol = (id: string, include: PolicyForEval["include"]): PolicyForEval => ({ id, name: id, decision: "non_identity", include, precedence: 1 });
  const app = (id: string, path: string, policies: PolicyForEval[]): AppConfig => ({ id, name: id, domain: HOST + path, hostname: HOST, path, policies });
  const host = compileHost({ hostname: HOST, cas: [], crls: [], forwarding: false, apps: [app("api", "/api", [pol("only", [{ service_token: { token_id: TOKEN_ID } }])]), app("any", "/any", [pol("any", [{ any_valid_service_token: {} }])])] });
  const req = (target: string, extra: object = {}) => {
    const t = normalizeTarget(target, HOST);
    if (!t.ok) throw new Error(t.error);
    return { key: t.key, path: t.path, ...extra };
  };
  const none = { presented: false, valid: false, commonName: null, serial: null, sha256: null, issuersPem: [] };

  it("a token's id lets in a Service Token rule for it, and Any Access Service Token; another id is 403", () => {
    expect(decide(host, req("/api/x", { serviceTokenId: TOKEN_ID }), none)).toMatchObject({ outcome: "service_auth", status: 200, policy: { id: "only" } });
    expect(decide(host, req("/any", { serviceTokenId: "another" }), none)).toMatchObject({ outcome: "service_auth", status: 200 });
    expect(decide(host, req("/api", { serviceTokenId: "another" }), none)).toMatchObject({ outcome: "block", status: 403 });
  });
  it("refused credentials are 401 before any policy, with the reason; without an application it stays 404", () => {
    const d = decide(host, req("/any", { credentialError: "wrong Client Secret for service token \"CI\"" }), none, { trace: true });
    expect(d).toMatchObject({ outcome: "unauthenticated", decision: "deny", status: 401, application: { app: { id: "any" } }, policy: null, evaluation: null, identity: null });
    expect(d.reason).toBe('Service token refused: wrong Client Secret for service token "CI"');
    expect(d.trace).toEqual([]);
    expect(decide(host, req("/elsewhere", { credentialError: "x" }), none)).toMatchObject({ outcome: "no_application", status: 404 });
  });
});
