/**
 * Hostile input for the hostname normaliser: never throws, always answers ok + a valid hostname or a clear error,
 * and a normalised hostname is a fixed point.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_HOSTNAME_LENGTH, normalizeHostname, normalizeHostnames, parseAppDomain } from "@/lib/hostname";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

const hostish = fc.oneof(
  fc.domain(),
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.domain(), fc.integer({ min: -5, max: 99999 })).map(([d, p]) => `${d}:${p}`),
  fc.tuple(fc.constantFrom("*.", "**.", "*", "a*.", ""), fc.domain(), fc.constantFrom("", ".", "..", "/", "/x?y#z", " ")).map(([a, d, b]) => a + d + b),
  fc.array(fc.constantFrom("bücher", "例え", "xn--", "xn--zz", "a", "-a", "a-", "0", "255", "ß", "ı", "\u200b", "ＡＢＣ", "%41", "[::1]", "1.2.3.4"), { minLength: 1, maxLength: 6 }).map((ls) => ls.join(".")),
  fc.string({ maxLength: 80 }),
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ minLength: 240, maxLength: 3000, unit: fc.constantFrom("a", ".", "-", "b") }),
);

function checkHost(h: string, wildcard: boolean): void {
  expect(h.length).toBeLessThanOrEqual(MAX_HOSTNAME_LENGTH);
  expect(h).toBe(h.toLowerCase());
  const labels = h.split(".");
  expect(labels.length).toBeGreaterThanOrEqual(2);
  labels.forEach((l, i) => {
    if (wildcard && i === 0 && l === "*") return;
    expect(l, `label ${JSON.stringify(l)} of ${h}`).toMatch(LABEL);
  });
  expect(h).not.toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
}

describe("normalizeHostname on hostile input", () => {
  for (const allowWildcard of [false, true]) {
    it(`never throws; ok results are valid and idempotent (allowWildcard ${allowWildcard})`, () => {
      fc.assert(
        fc.property(hostish, (input) => {
          const r = normalizeHostname(input, { allowWildcard });
          if (r.ok) {
            checkHost(r.hostname, allowWildcard);
            if (!allowWildcard) expect(r.hostname).not.toContain("*");
            const again = normalizeHostname(r.hostname, { allowWildcard });
            expect(again).toEqual({ ok: true, hostname: r.hostname });
          } else {
            expect(typeof r.error).toBe("string");
            expect(r.error.trim().length).toBeGreaterThan(0);
            expect(r.error.length).toBeLessThan(4200); // quotes the input, never the whole of a huge one
          }
        }),
        { numRuns: 1500 },
      );
    });
  }

  it("non-string values are refused, not thrown", () => {
    fc.assert(
      fc.property(fc.anything(), (v) => {
        const r = normalizeHostname(v as string);
        expect(r.ok === true ? typeof r.hostname : typeof r.error).toBe("string");
      }),
    );
  });

  it("lists: every input is accounted for, results unique", () => {
    fc.assert(
      fc.property(fc.array(hostish, { maxLength: 12 }), (list) => {
        const r = normalizeHostnames(list);
        expect(new Set(r.hostnames).size).toBe(r.hostnames.length);
        const nonBlank = list.filter((s) => s.trim() !== "").length;
        expect(r.hostnames.length + r.errors.length).toBeLessThanOrEqual(nonBlank);
        r.errors.forEach((e) => expect(e.error.length).toBeGreaterThan(0));
      }),
      { numRuns: 300 },
    );
  });

  it("application domains: never throw; paths start with / and carry no forbidden characters", () => {
    fc.assert(
      fc.property(fc.oneof(hostish, fc.tuple(fc.domain(), fc.webPath()).map(([d, p]) => d + p)), (input) => {
        const r = parseAppDomain(input);
        if (r.ok) {
          checkHost(r.host, true);
          expect(r.path.startsWith("/")).toBe(true);
          expect(r.path).not.toMatch(/[\s\\<>"{}|^`]/);
        } else expect(r.error.trim().length).toBeGreaterThan(0);
      }),
      { numRuns: 800 },
    );
  });
});
