import "reflect-metadata";
import { X509CertificateGenerator } from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { cacheableAnswer, cacheSeconds, forwardable, MAX_TTL_S } from "./decision-cache";
import { parseHitLine } from "./hit-log";

async function leafUntil(notAfter: Date): Promise<Buffer> {
  const alg = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = await crypto.subtle.generateKey(alg, false, ["sign", "verify"]);
  const c = await X509CertificateGenerator.createSelfSigned({ serialNumber: "01", name: "CN=Leaf", notBefore: new Date(notAfter.getTime() - 86_400_000), notAfter, keys, signingAlgorithm: alg });
  return Buffer.from(c.rawData);
}

const entry = {
  at: new Date(0), hostname: "a.example.com", applicationId: "app", applicationName: "App", clientCn: "John Doe", serialNumber: "01",
  decision: "allow" as const, policyId: "p", policyName: "P", reason: "Allowed", ip: "127.0.0.1", path: "/x", chain: [],
};

describe("decision cache TTL", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  it("is at most 30 s, never past the JWT's renewal point or the leaf's notAfter, and 0 when the decision is volatile", async () => {
    expect(cacheSeconds({ now, renewAt: null, leaf: undefined, volatile: false })).toBe(MAX_TTL_S);
    expect(cacheSeconds({ now, renewAt: now + 12_500, leaf: undefined, volatile: false })).toBe(12);
    expect(cacheSeconds({ now, renewAt: now - 1, leaf: undefined, volatile: false })).toBe(0);
    expect(cacheSeconds({ now, renewAt: null, leaf: undefined, volatile: true })).toBe(0);
    const leaf = await leafUntil(new Date(now + 7_000));
    expect(cacheSeconds({ now, renewAt: now + 20_000, leaf, volatile: false })).toBe(7);
  });

  it("marks an answer cacheable only for a whole second or more, with its log row (no time, no chain)", () => {
    expect(cacheableAnswer({ a: "1" }, entry, 0)).toEqual({ a: "1" });
    const a = cacheableAnswer({ a: "1" }, entry, 5);
    expect(a["x-accel-expires"]).toBe("5");
    const line = `1767225600.123 ${a["x-portcullis-log"]} -`;
    expect(parseHitLine(line)).toEqual({ ...entry, at: new Date(1767225600123) });
  });
});

describe("forwardable", () => {
  const managed = (n: string) => n === "connection";
  it("takes only the headers nginx forwards on the fast path, each once", () => {
    expect(forwardable(["Host", "a", "User-Agent", "x", "Accept", "*/*", "Connection", "keep-alive"], managed)).toBe(true);
    expect(forwardable(["Host", "a", "X-App", "1"], managed)).toBe(false);
    expect(forwardable(["Host", "a", "User_Agent", "x"], managed)).toBe(false);
    expect(forwardable(["Host", "a", "Accept", "a", "accept", "b"], managed)).toBe(false);
  });
});
