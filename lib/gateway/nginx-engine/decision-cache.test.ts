import "reflect-metadata";
import { X509CertificateGenerator } from "@peculiar/x509";
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { cacheableAnswer, cacheSeconds, forwardable, MAX_TTL_S } from "./decision-cache";
import { HitLines, WAIT_MS } from "./hit-log";
import type { AccessLogEntry } from "../../domain/access-log";

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
    const rows: AccessLogEntry[] = [];
    new HitLines((e) => rows.push(e)).line(`1767225600.123 HIT ${a["x-portcullis-log"]} -`);
    expect(rows).toEqual([{ ...entry, at: new Date(1767225600123) }]);
  });
});

describe("hit log lines", () => {
  const pem = (der: Buffer) => `-----BEGIN CERTIFICATE-----\n${der.toString("base64")}\n-----END CERTIFICATE-----\n`;
  const escaped = (der: Buffer) => encodeURIComponent(pem(der));

  it("gives a hit the chain the miss that stored its entry brought, and records the miss itself never", async () => {
    const leaf = await leafUntil(new Date(Date.now() + 86_400_000));
    const other = await leafUntil(new Date(Date.now() + 86_400_000));
    const row = cacheableAnswer({}, { ...entry, chain: [leaf] }, 5)["x-portcullis-log"];
    const rows: AccessLogEntry[] = [];
    const lines = new HitLines((e) => rows.push(e));
    lines.line(`1767225600.000 MISS ${row} ${escaped(other)}`);
    lines.line(`1767225600.100 MISS ${row} ${escaped(leaf)}`);
    expect(rows).toEqual([]);
    lines.line(`1767225600.200 HIT ${row} -`);
    expect(rows).toHaveLength(1);
    expect(rows[0].chain).toEqual([leaf]);
    expect(rows[0].at).toEqual(new Date(1767225600200));
  });

  it("lets a hit read before its miss wait for the chain, and logs it without one only after WAIT_MS", async () => {
    const leaf = await leafUntil(new Date(Date.now() + 86_400_000));
    const row = cacheableAnswer({}, { ...entry, chain: [leaf] }, 5)["x-portcullis-log"];
    const rows: AccessLogEntry[] = [];
    const lines = new HitLines((e) => rows.push(e));
    lines.line(`1767225600.000 HIT ${row} -`, 1000);
    lines.settle(1100);
    expect(rows).toEqual([]);
    lines.line(`1767225600.100 MISS ${row} ${escaped(leaf)}`, 1200);
    lines.settle(1300);
    expect(rows.map((r) => r.chain)).toEqual([[leaf]]);
    // No miss line ever: logged without the chain once WAIT_MS has passed, not before.
    const lost = cacheableAnswer({}, { ...entry, chain: [await leafUntil(new Date(Date.now() + 86_400_000))] }, 5)["x-portcullis-log"];
    lines.line(`1767225600.300 HIT ${lost} -`, 2000);
    lines.settle(2000 + WAIT_MS - 1);
    expect(rows).toHaveLength(1);
    lines.settle(2000 + WAIT_MS);
    expect(rows).toHaveLength(2);
    expect(rows[1].chain).toEqual([]);
  });

  it("gives every hit of an entry its own time and the one chain, whose SHA-256 values the batch reads without hashing", async () => {
    const leaf = await leafUntil(new Date(Date.now() + 86_400_000));
    const row = cacheableAnswer({}, { ...entry, chain: [leaf] }, 5)["x-portcullis-log"];
    const other = cacheableAnswer({}, { ...entry, path: "/y", chain: [leaf] }, 5)["x-portcullis-log"];
    const rows: AccessLogEntry[] = [];
    const lines = new HitLines((e) => rows.push(e));
    lines.line(`1767225600.000 MISS ${row} ${escaped(leaf)}`);
    for (const [t, r] of [["1767225600.100", row], ["1767225601.200", row], ["1767225601.300", other], ["1767225601.400", row]]) lines.line(`${t} HIT ${r} -`);
    expect(rows.map((r) => [r.at.getTime(), r.path])).toEqual([[1767225600100, "/x"], [1767225601200, "/x"], [1767225601300, "/y"], [1767225601400, "/x"]]);
    expect(rows[0]).not.toBe(rows[1]);
    expect(rows[1].chain).toBe(rows[0].chain);
    expect(rows[3].chain).toBe(rows[0].chain);
    expect(lines.shasOf(rows[0].chain!)).toEqual([createHash("sha256").update(leaf).digest("hex")]);
    expect(lines.shasOf([leaf])).toBeUndefined();
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
