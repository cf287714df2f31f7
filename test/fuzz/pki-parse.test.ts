/**
 * Hostile input for the PEM/DER parser: `inspectChain` on arbitrary strings and bytes and on mutated valid PEM/DER
 * never throws, never hangs, and always answers with well-formed issues (a code and a message each).
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectChain, type InspectResult } from "@/lib/pki";
import { bounded, mutatedBytes, mutatedPem, pemToDer, smallPki, systemPems, type SmallPki } from "./helpers";

const SEVERITIES = new Set(["error", "warning", "info"]);

function checkResult(r: InspectResult): void {
  expect(Array.isArray(r.certificates)).toBe(true);
  expect(Array.isArray(r.issues)).toBe(true);
  for (const i of r.issues) {
    expect(SEVERITIES.has(i.severity)).toBe(true);
    expect(typeof i.code).toBe("string");
    expect(i.code.length).toBeGreaterThan(0);
    expect(typeof i.message).toBe("string");
    expect(i.message.trim().length).toBeGreaterThan(0);
    if (i.certificateIndex !== null) {
      expect(Number.isInteger(i.certificateIndex)).toBe(true);
      expect(i.certificateIndex).toBeGreaterThanOrEqual(0);
      expect(i.certificateIndex).toBeLessThan(r.certificates.length);
    }
  }
  const worst = r.issues.some((i) => i.severity === "error") ? "error" : r.issues.some((i) => i.severity === "warning") ? "warning" : "ok";
  expect(r.verdict).toBe(worst);
  // Nothing usable is never "fine": an empty result always explains itself with an error.
  if (r.certificates.length === 0) expect(r.verdict).toBe("error");
  for (const c of r.certificates) expect(c.pem).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----\n$/);
}

const inspect = (input: string | Uint8Array) => bounded(`inspectChain(${typeof input === "string" ? JSON.stringify(input.slice(0, 80)) : `${input.length} bytes`})`, () => inspectChain(input));

let pki: SmallPki;
let seeds: string[];
beforeAll(() => {
  pki = smallPki();
  seeds = [pki.rootPem, pki.intermediatePem + pki.rootPem, pki.leafPem, ...systemPems(8)];
});

describe("inspectChain on hostile input", () => {
  it("arbitrary strings (ASCII, Unicode, PEM-shaped noise)", async () => {
    const pemish = fc
      .tuple(fc.constantFrom("CERTIFICATE", "X509 CRL", "PRIVATE KEY", "CERTIFICATE", "FOO"), fc.base64String({ maxLength: 400 }), fc.string({ maxLength: 20 }))
      .map(([label, body, junk]) => `${junk}-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n${junk}`);
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: "grapheme", maxLength: 100 }), fc.string({ unit: "binary", maxLength: 200 }), pemish, fc.base64String({ maxLength: 600 })), async (s) => {
        checkResult(await inspect(s));
      }),
      { numRuns: 300 },
    );
  });

  it("arbitrary bytes", async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2048 }), async (b) => {
        checkResult(await inspect(b));
      }),
      { numRuns: 300 },
    );
  });

  it("mutated valid DER (flips, truncation, insertion, length fields)", async () => {
    const ders = seeds.slice(0, 6).map(pemToDer);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...ders.keys()).chain((k) => mutatedBytes(ders[k])), async (b) => {
        checkResult(await inspect(b));
      }),
      { numRuns: 400 },
    );
  });

  it("mutated valid PEM (characters, cuts, labels, repeats, CRLF)", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...seeds.keys()).chain((k) => mutatedPem(seeds[k])), async (s) => {
        checkResult(await inspect(s));
      }),
      { numRuns: 300 },
    );
  });

  it("nested and oversized length prefixes do not recurse or allocate without bound", async () => {
    const deep = new Uint8Array(20_000).map((_, i) => (i % 2 === 0 ? 0x30 : 0x80)); // indefinite-length SEQUENCEs
    const huge = Uint8Array.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x30, 0x00]);
    const longForm = Uint8Array.from([0x30, 0x88, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
    for (const b of [deep, huge, longForm]) checkResult(await inspect(b));
    checkResult(await inspect(`-----BEGIN CERTIFICATE-----\n${"A".repeat(1024 * 1024 + 10)}\n-----END CERTIFICATE-----\n`));
    checkResult(await inspect("-----BEGIN CERTIFICATE-----\n".repeat(5000)));
  });

  it("valid seeds still parse (the mutators start from real certificates)", async () => {
    for (const s of seeds) {
      const r = await inspect(s);
      checkResult(r);
      expect(r.certificates.length).toBeGreaterThan(0);
    }
  });
});
