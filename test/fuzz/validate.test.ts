/**
 * Hostile input for client-certificate validation: `validateClientCertificate` (and the cached validator) on
 * mutated leaves, anchors and intermediates never throws or hangs, always reports errors with a code and a message,
 * and never accepts a certificate whose bytes were changed.
 */
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { createValidator, validateClientCertificate, type ValidationResult } from "@/lib/pki";
import { bounded, mutatedBytes, mutatedPem, pemToDer, smallPki, type SmallPki } from "./helpers";

function checkResult(r: ValidationResult): void {
  expect(typeof r.ok).toBe("boolean");
  expect(Array.isArray(r.errors)).toBe(true);
  expect(r.ok).toBe(r.errors.length === 0);
  for (const e of r.errors) {
    expect(typeof e.code).toBe("string");
    expect(e.code.length).toBeGreaterThan(0);
    expect(e.message.trim().length).toBeGreaterThan(0);
  }
  for (const s of r.steps) expect(typeof s.label).toBe("string");
}

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Offset just past a DER tag + length at `at`. */
function headerEnd(der: Uint8Array, at: number): { content: number; end: number } {
  const first = der[at + 1];
  if (first < 0x80) return { content: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i];
  return { content: at + 2 + n, end: at + 2 + n + len };
}

/** Offset of the unused-bits octet of the certificate's signatureValue BIT STRING. */
function signatureUnusedBitsOffset(der: Uint8Array): number {
  const outer = headerEnd(der, 0);
  const tbs = headerEnd(der, outer.content);
  const alg = headerEnd(der, tbs.end);
  return headerEnd(der, alg.end).content;
}

/** Offsets of the signatureValue bytes that a lenient DER reader would let change: unused bits, SEQUENCE and INTEGER tags. */
function ecdsaSignatureTagOffsets(der: Uint8Array): number[] {
  const unused = signatureUnusedBitsOffset(der);
  const seq = headerEnd(der, unused + 1);
  const r = headerEnd(der, seq.content);
  return [unused, unused + 1, seq.content, r.end];
}

/** Differs from `seed` only in those bytes: the signature re-encodings OpenSSL refuses (tested below). */
const onlyKnownLenientBytesChanged = (b: Uint8Array, seed: Uint8Array) => {
  if (b.length !== seed.length) return false;
  const lenient = new Set(ecdsaSignatureTagOffsets(seed));
  return b.every((x, i) => lenient.has(i) || x === seed[i]);
};

let pki: SmallPki;
let leafDer: Uint8Array;
let anchors: string[];
beforeAll(() => {
  pki = smallPki();
  leafDer = pemToDer(pki.leafPem);
  anchors = [pki.intermediatePem + pki.rootPem];
});

const validate = (leaf: string | Uint8Array, trustAnchors: (string | Uint8Array)[], untrusted: (string | Uint8Array)[] = []) =>
  bounded("validateClientCertificate", () => validateClientCertificate({ leaf, trustAnchors, untrusted }));

describe("validateClientCertificate on hostile input", () => {
  it("the unmutated leaf validates (the mutators start from a good certificate)", async () => {
    const r = await validate(leafDer, anchors);
    checkResult(r);
    expect(r.errors.filter((e) => e.code !== "unable_to_get_crl")).toEqual([]);
  });

  it("mutated leaf DER: never throws, never accepted", async () => {
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(() => mutatedBytes(leafDer)), async (b) => {
        const r = await validate(b, anchors);
        checkResult(r);
        if (!sameBytes(b, leafDer) && !onlyKnownLenientBytesChanged(b, leafDer)) expect(r.errors.filter((e) => e.code !== "unable_to_get_crl").length).toBeGreaterThan(0);
      }),
      { numRuns: 300 },
    );
  });

  // Found by the property above: OpenSSL 3 refuses these re-encodings ("certificate signature failure"), and so does
  // lib/pki now — otherwise one valid certificate could be re-encoded into "valid" copies with other fingerprints.
  it("refuses a signature BIT STRING with unused bits (OpenSSL: invalid bit string bits left)", async () => {
    const b = leafDer.slice();
    b[signatureUnusedBitsOffset(leafDer)] = 1;
    const r = await validate(b, anchors);
    expect(r.errors.filter((e) => e.code !== "unable_to_get_crl").length).toBeGreaterThan(0);
  });

  it("refuses an ECDSA signature whose Ecdsa-Sig-Value is tagged SET instead of SEQUENCE", async () => {
    const b = leafDer.slice();
    b[ecdsaSignatureTagOffsets(leafDer)[1]] = 0x31;
    const r = await validate(b, anchors);
    expect(r.errors.filter((e) => e.code !== "unable_to_get_crl").length).toBeGreaterThan(0);
  });

  it("refuses an ECDSA signature whose s is not tagged INTEGER", async () => {
    const b = leafDer.slice();
    b[ecdsaSignatureTagOffsets(leafDer)[3]] = 0x03;
    const r = await validate(b, anchors);
    expect(r.errors.filter((e) => e.code !== "unable_to_get_crl").length).toBeGreaterThan(0);
  });

  it("mutated leaf PEM and arbitrary leaf input", async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.constant(null).chain(() => mutatedPem(pki.leafPem)), fc.string({ maxLength: 200 }), fc.uint8Array({ maxLength: 600 })), async (leaf) => {
        checkResult(await validate(leaf, anchors));
      }),
      { numRuns: 200 },
    );
  });

  it("mutated trust anchors and untrusted intermediates", async () => {
    const rootDer = pemToDer(pki.rootPem);
    const interDer = pemToDer(pki.intermediatePem);
    await fc.assert(
      fc.asyncProperty(mutatedBytes(rootDer), mutatedBytes(interDer), fc.boolean(), async (root, inter, interAsAnchor) => {
        const r = interAsAnchor ? await validate(leafDer, [root, inter]) : await validate(leafDer, [root], [inter]);
        checkResult(r);
        if (!sameBytes(root, rootDer) && !sameBytes(inter, interDer) && !onlyKnownLenientBytesChanged(inter, interDer)) expect(r.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("cached validator: hostile leaves never poison the cache for the good one", async () => {
    const v = createValidator({ trustAnchors: anchors, cacheLimit: 50 });
    await fc.assert(
      fc.asyncProperty(fc.constant(null).chain(() => mutatedBytes(leafDer)), async (b) => {
        checkResult(await bounded("validator.validate", () => v.validate(b)));
        const good = await v.validate(leafDer);
        expect(good.errors.filter((e) => e.code !== "unable_to_get_crl")).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });
});
