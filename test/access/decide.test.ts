/**
 * lib/access, the one decision: application matching on domain + path (segment boundaries, most specific first),
 * every outcome, identity only from a validated chain, the missing-CRL rule, and SNI/Host misdirection, over real
 * certificates (OpenSSL) and the real lib/pki validator.
 */
import { beforeAll, describe, expect, it } from "vitest";
import {
  compileHost,
  decide,
  explainAccess,
  explainMatch,
  misdirected,
  normalizeTarget,
  reachableApps,
  keyedApps,
  verifyChain,
  type AppConfig,
  type HostSnapshot,
} from "@/lib/access";
import type { PolicyForEval } from "@/lib/policy";
import { pemToDer } from "../../e2e/helpers/certs";
import { generateTestPki, type TestPki } from "../integration/test-mtls-pki";

let pki: TestPki;
let other: TestPki;
beforeAll(() => {
  pki = generateTestPki();
  other = generateTestPki({ rootCN: "Other Root", intermediateCN: "Other Intermediate" });
}, 120_000);

const HOST = "app.example.com";
const pol = (id: string, decision: PolicyForEval["decision"], include: PolicyForEval["include"], rest: Partial<PolicyForEval> = {}): PolicyForEval => ({
  id, name: id, decision, include, precedence: 1, ...rest,
});
const app = (id: string, path: string, policies: PolicyForEval[], hostname = HOST): AppConfig => ({
  id, name: id, domain: hostname + path, hostname, path, policies,
});
const host = (apps: AppConfig[], cas: string[] = [pki.seed.chainPem], crls: string[] = [], hostname = HOST) => compileHost({ hostname, cas, crls, forwarding: false, apps });

const req = (target: string, extra: { ip?: string } = {}) => {
  const t = normalizeTarget(target, HOST);
  if (!t.ok) throw new Error(t.error);
  return { key: t.key, path: t.path, ...extra };
};
const run = (h: HostSnapshot, target: string, chain: string | null, extra: { ip?: string; at?: Date; sni?: HostSnapshot | null } = {}) =>
  explainAccess({ host: h, ...req(target, extra), chain, at: extra.at ?? new Date(), ...(extra.sni !== undefined ? { sni: extra.sni } : {}) });

describe("application matching", () => {
  const apps = [
    app("whole", "", [pol("p", "allow", [{ everyone: {} }])]),
    app("admin", "/admin", [pol("p", "deny", [{ everyone: {} }])]),
    app("admin-users", "/Admin/Users/", [pol("p", "deny", [{ everyone: {} }])]),
    app("wild-admin", "/admin", [pol("p", "deny", [{ everyone: {} }])], "*.example.com"),
  ];
  const ordered = keyedApps(apps).map((a) => ({ ...a, evaluator: null as never }));

  it("the most specific path wins, on segment boundaries, exact hostnames before wildcards", () => {
    const m = (target: string) => explainMatch(ordered, req(target).key).app?.app.id ?? null;
    expect(m("/admin/users/7")).toBe("admin-users");
    expect(m("/admin/users")).toBe("admin-users");
    expect(m("/admin/usersx")).toBe("admin");
    expect(m("/admin")).toBe("admin");
    expect(m("/ADMIN/x")).toBe("admin");
    expect(m("/administrator")).toBe("whole");
    expect(m("/public/../admin")).toBe("admin");
    expect(m("/%61dmin;jsessionid=1")).toBe("admin");
    expect(m("/")).toBe("whole");
  });

  it("says why each application was or was not chosen", () => {
    const { considered } = explainMatch(ordered, req("/administrator").key);
    const why = Object.fromEntries(considered.map((c) => [c.id, [c.matched, c.why]]));
    expect(why.whole[0]).toBe(true);
    expect(why.admin).toEqual([false, `${HOST}: path /admin does not cover /administrator (paths match whole segments)`]);
    const deep = Object.fromEntries(explainMatch(ordered, req("/admin/users/1").key).considered.map((c) => [c.id, [c.matched, c.why]]));
    expect(deep["admin-users"]).toEqual([true, `${HOST}: path /admin/users covers /admin/users/1 (the most specific application that does)`]);
    expect(deep.admin[1]).toBe(`path /admin covers /admin/users/1 but is less specific than "admin-users" (${HOST}/Admin/Users/)`);
    expect(deep["wild-admin"][1]).toMatch(/^shadowed by "admin" .*exact hostnames rank before wildcards/);
    expect(deep.whole[1]).toMatch(/^the whole hostname covers \/admin\/users\/1 but is less specific than "admin-users"/);
  });

  it("reachableApps drops shadowed applications and everything after the whole hostname", () => {
    expect(reachableApps(ordered).map((a) => a.app.id)).toEqual(["admin-users", "admin", "whole"]);
  });
});

describe("decisions", () => {
  it("allow, block, bypass, service_auth and no_application, with the deciding policy", async () => {
    const h = host([
      app("whole", "", [
        pol("bypass-office", "bypass", [{ ip: { ip: "198.51.100.0/24" } }]),
        pol("svc-jane", "non_identity", [{ common_name: { common_name: "Jane Roe" } }]),
        pol("block-stranger", "deny", [{ ip: { ip: "203.0.113.0/24" } }], { precedence: 1 }),
        pol("allow-cert", "allow", [{ certificate: {} }], { precedence: 2 }),
      ]),
      app("api", "/api", [pol("api-only-john", "allow", [{ common_name: { common_name: "John Doe" } }])]),
    ]);
    const cases: [string, string | null, string, string, string | null][] = [
      ["/", pki.johnPem, "192.0.2.1", "allow", "allow-cert"],
      ["/", pki.janePem, "192.0.2.1", "service_auth", "svc-jane"],
      ["/", pki.johnPem, "198.51.100.7", "bypass", "bypass-office"],
      ["/", pki.johnPem, "203.0.113.9", "block", "block-stranger"],
      ["/", pki.strangerPem, "192.0.2.1", "block", null],
      ["/", null, "192.0.2.1", "block", null],
      ["/api/x", pki.johnPem, "192.0.2.1", "allow", "api-only-john"],
      ["/api/x", pki.janePem, "192.0.2.1", "block", null],
      ["/apix", pki.janePem, "192.0.2.1", "service_auth", "svc-jane"],
    ];
    for (const [target, chain, ip, outcome, policy] of cases) {
      const { decision: d } = await run(h, target, chain, { ip });
      expect([target, chain === null ? "none" : "cert", ip, d.outcome, d.policy?.id ?? null]).toEqual([target, chain === null ? "none" : "cert", ip, outcome, policy]);
      expect(d.status).toBe(outcome === "block" ? 403 : 200);
    }
    const none = await run(host([app("api", "/api", [pol("p", "allow", [{ everyone: {} }])])]), "/other", pki.johnPem);
    expect(none.decision).toMatchObject({ outcome: "no_application", status: 404, application: null, reason: `No application protects ${HOST}/other` });
  });

  it("identity only from a validated chain, and never for Bypass", async () => {
    const h = host([
      app("whole", "", [pol("bypass", "bypass", [{ ip: { ip: "198.51.100.0/24" } }]), pol("allow-ip", "allow", [{ ip: { ip: "192.0.2.0/24" } }])]),
    ]);
    const valid = await run(h, "/", pki.johnPem, { ip: "192.0.2.1" });
    expect(valid.decision.outcome).toBe("allow");
    expect(valid.decision.identity).toMatchObject({ commonName: "John Doe", sub: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const stranger = await run(h, "/", pki.strangerPem, { ip: "192.0.2.1" });
    expect(stranger.decision.outcome).toBe("allow");
    expect(stranger.decision.identity).toBeNull();
    const expired = await run(h, "/", pki.johnPem, { ip: "192.0.2.1", at: new Date("2100-01-01T00:00:00Z") });
    expect([expired.decision.outcome, expired.decision.identity, expired.cert.reason]).toEqual(["allow", null, "certificate has expired"]);
    const bypass = await run(h, "/", pki.johnPem, { ip: "198.51.100.1" });
    expect([bypass.decision.outcome, bypass.decision.identity]).toEqual(["bypass", null]);
  });

  it("the trace says which rule needs what, and IP rules without an IP do not match", async () => {
    const h = host([app("whole", "", [pol("ip", "allow", [{ ip: { ip: "192.0.2.0/24" } }])])]);
    const r = await run(h, "/", pki.johnPem);
    expect(r.decision.outcome).toBe("block");
    expect(r.decision.trace[0].rules[0]).toMatchObject({ matched: false, reason: "client IP address unknown" });
  });
});

describe("the missing-CRL rule, once for the gateway and the tester", () => {
  it("a CA without a stored CRL is not checked; a stored CRL revokes", async () => {
    for (const [crls, valid] of [[[], true], [[pki.crlEmpty], true], [[pki.crlRevokingJohn], false]] as const) {
      const h = host([app("whole", "", [pol("cert", "allow", [{ certificate: {} }])])], [pki.seed.chainPem], [...crls]);
      const tester = await run(h, "/", pki.johnPem);
      const gateway = await verifyChain(h, new Uint8Array(pemToDer(pki.johnPem)), [], new Date());
      expect([tester.cert.valid, gateway.valid]).toEqual([valid, valid]);
      expect(tester.decision.outcome).toBe(valid ? "allow" : "block");
      if (!valid) expect([tester.cert.reason, gateway.reason]).toEqual(["certificate revoked", "certificate revoked"]);
      if (crls.length) {
        // the root's CRL is not stored: its revocation step says "not checked", not a failure
        expect(tester.validation!.steps.find((s) => s.id === "revocation:1")).toMatchObject({ ok: true, detail: expect.stringMatching(/^Not checked: no CRL from/) });
        expect(tester.validation!.errors.map((e) => e.code)).not.toContain("unable_to_get_crl");
      }
    }
  });
});

describe("SNI and Host", () => {
  const apps = [app("whole", "", [pol("cert", "allow", [{ certificate: {} }])])];
  it("421 when the Host's trust store differs from the TLS server name's, never evaluating the chain there", async () => {
    const protectedHost = host(apps);
    const open = host(apps, [], [], "open.example.com");
    const otherCa = host(apps, [other.seed.chainPem], [], "other.example.com");
    const sameCaReordered = compileHost({ hostname: "twin.example.com", cas: [pki.seed.chainPem.replace(/\n/g, "\r\n")], crls: [], forwarding: false, apps });

    expect(misdirected(open, protectedHost)).toMatch(/open\.example\.com, which does not ask for a client certificate/);
    expect(misdirected(null, protectedHost)).toMatch(/no TLS server name \(SNI\)/);
    expect(misdirected(otherCa, protectedHost)).toMatch(/checked against other CAs/);
    expect(misdirected(protectedHost, open)).toMatch(/other settings/);
    expect(misdirected(sameCaReordered, protectedHost)).toBeNull();
    expect(misdirected(null, open)).toBeNull();

    const r = await run(protectedHost, "/", pki.johnPem, { sni: otherCa });
    expect(r.decision).toMatchObject({ outcome: "misdirected", status: 421, decision: "deny", application: null, identity: null });
    expect(r.validation).toBeNull();
    const twin = await run(protectedHost, "/", pki.johnPem, { sni: sameCaReordered });
    expect(twin.decision.outcome).toBe("allow");
    // decide() applies the same rule on the gateway's path
    const cert = await verifyChain(otherCa, new Uint8Array(pemToDer(pki.johnPem)), [], new Date());
    expect(decide(protectedHost, req("/"), cert, { sni: otherCa }).outcome).toBe("misdirected");
  });
});
