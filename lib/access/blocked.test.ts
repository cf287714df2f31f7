/**
 * Instant lock in the one decision (./blocked): a blocked certificate is refused on every application before any
 * policy (Bypass included), matched by SHA-256 fingerprint or by issuer + serial with the normalisation the console
 * and the API accept; nothing else is touched.
 */
import { describe, expect, it } from "vitest";
import type { PolicyForEval } from "../policy";
import { blockKey, compileBlockList, normalizeIssuer, normalizeSerial, normalizeSha256, type BlockedCertificate } from "./blocked";
import { compileHost } from "./compile";
import { decide } from "./decide";
import { NO_CERTIFICATE } from "./certificate";
import type { AppConfig, CertVerdict } from "./types";

const HOST = "app.example.com";
const FP = "AB:".repeat(31) + "AB";
const pol = (id: string, decision: PolicyForEval["decision"]): PolicyForEval => ({ id, name: id, decision, include: [{ everyone: {} }], precedence: 1 });
const app = (id: string, path: string, policies: PolicyForEval[]): AppConfig => ({ id, name: id, domain: HOST + path, hostname: HOST, path, policies });
const cert = (over: Partial<CertVerdict> = {}): CertVerdict =>
  Object.freeze({ presented: true, valid: true, commonName: "laptop-17", serial: "00:8F:01", issuer: "CN=Client CA, O=Example", sha256: FP, issuersPem: [], ...over });
const block = (over: Partial<BlockedCertificate>): BlockedCertificate => ({ id: "b1", kind: "sha256", sha256: null, issuer: null, serial: null, reason: "laptop stolen", blockedAt: "2026-12-05T17:00:00.000Z", ...over });
const hostWith = (blocked: BlockedCertificate[]) =>
  compileHost({ hostname: HOST, cas: [], crls: [], forwarding: false, apps: [app("all", "", [pol("everyone", "allow")]), app("open", "/open", [pol("public", "bypass")])], blocked });

describe("lib/access: blocked certificates", () => {
  it("normalises fingerprints, serials and issuers the way the console and the API accept them", () => {
    expect(normalizeSha256(FP)).toBe("ab".repeat(32));
    expect(normalizeSha256("ab".repeat(31))).toBeNull();
    expect(normalizeSha256("zz".repeat(32))).toBeNull();
    expect(normalizeSerial("00:8F:01")).toBe("8f01");
    expect(normalizeSerial("8f01")).toBe("8f01");
    expect(normalizeSerial("0x0F")).toBe("0f");
    expect(normalizeSerial("f")).toBe("0f");
    expect(normalizeSerial("00")).toBe("00");
    expect(normalizeSerial("xyz")).toBeNull();
    expect(normalizeIssuer(" CN = Client CA ,O=Example ")).toBe(normalizeIssuer("cn=client ca, o=example"));
    // openssl prints the issuer the other way round
    expect(normalizeIssuer("O = Example, CN = Client CA")).toBe(normalizeIssuer("CN=Client CA, O=Example"));
    expect(normalizeIssuer("CN=a\\,b, O=x")).not.toBe(normalizeIssuer("CN=a, O=x"));
    expect(blockKey("issuer_serial", "CN=A, O=B", "01")).toBe(blockKey("issuer_serial", "cn=a,o=b", "01"));
  });

  it("refuses a certificate blocked by fingerprint on every application, Bypass included, before any policy", () => {
    const h = hostWith([block({ sha256: "ab".repeat(32) })]);
    for (const path of ["/", "/open/x"]) {
      const d = decide(h, { key: path, path }, cert(), { trace: true });
      expect(d).toMatchObject({ outcome: "block", decision: "deny", status: 403, policy: null, identity: null, evaluation: null });
      expect(d.blocked?.id).toBe("b1");
      expect(d.reason).toBe("Blocked: the client certificate is locked (Blocked certificates, since 2026-12-05T17:00:00Z): laptop stolen");
    }
  });

  it("matches issuer + serial whatever the spelling, and only that issuer's serial", () => {
    const h = hostWith([block({ kind: "issuer_serial", issuer: "cn=client ca,o=example", serial: "8f01" })]);
    expect(decide(h, { key: "/", path: "/" }, cert()).outcome).toBe("block");
    expect(decide(h, { key: "/", path: "/" }, cert({ serial: "8F:02" })).outcome).toBe("allow");
    expect(decide(h, { key: "/", path: "/" }, cert({ issuer: "CN=Other CA, O=Example" })).outcome).toBe("allow");
  });

  it("lets everything else through as before: another certificate, none, or no blocks at all", () => {
    const h = hostWith([block({ sha256: "cd".repeat(32) })]);
    expect(decide(h, { key: "/", path: "/" }, cert()).outcome).toBe("allow");
    expect(decide(h, { key: "/", path: "/" }, NO_CERTIFICATE).outcome).toBe("allow");
    expect(hostWith([]).blocked).toBeNull();
    expect(compileBlockList([block({ sha256: "ab".repeat(32) }), block({ id: "b2", kind: "issuer_serial", issuer: "CN=X", serial: "01" })])?.size).toBe(2);
  });
});
