/** The live inspector's parse cache: the same verdicts as a fresh inspection, without verifying a signature twice. */
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it, vi } from "vitest";
import { inspectChain } from "../../lib/pki/inspect";
import { createParseCache } from "../../lib/pki/parse-cache";
import { CA_BUNDLE_PATH } from "../fixtures";
import { pem } from "./fixtures";

const now = new Date();

afterEach(() => vi.restoreAllMocks());

describe("createParseCache with inspectChain", () => {
  it("re-inspects a known bundle with no WebCrypto verify and the same result", async () => {
    const bundle = readFileSync(CA_BUNDLE_PATH, "utf8");
    const cache = createParseCache();
    const fresh = await inspectChain(bundle, { now });
    const first = await inspectChain(bundle, { now, cache });
    expect(first).toEqual(fresh);
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const again = await inspectChain(bundle, { now, cache });
    expect(again).toEqual(fresh);
    expect(verify).not.toHaveBeenCalled();
    expect(cache.size).toBe(fresh.certificates.length);
  });

  it("verifies only the certificates it has not seen (an edit that adds one)", async () => {
    const cache = createParseCache();
    await inspectChain(pem("root"), { now, cache });
    const verify = vi.spyOn(globalThis.crypto.subtle, "verify");
    const r = await inspectChain(pem("int", "root"), { now, cache });
    expect(r.verdict).toBe("ok");
    // The intermediate's signature by the root; the root's self-signature is remembered.
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it("keeps verdicts that depend on the other certificates and on the time", async () => {
    const cache = createParseCache();
    expect((await inspectChain(pem("int", "root"), { now, cache })).verdict).toBe("ok");
    // The same intermediate without its root: incomplete, although its parse is reused.
    expect((await inspectChain(pem("int"), { now, cache })).issues.map((i) => i.code)).toContain("incomplete_chain");
    const late = await inspectChain(pem("int", "root"), { now: new Date("2200-01-01T00:00:00Z"), cache });
    expect(late.issues.map((i) => i.code)).toContain("expired");
  });

  it("does not keep what fails to parse, and drops the least recently used beyond its size", async () => {
    const cache = createParseCache(1);
    const bad = "-----BEGIN CERTIFICATE-----\nMAMCAQA=\n-----END CERTIFICATE-----\n";
    expect((await inspectChain(bad, { now, cache })).issues[0].code).toBe("malformed_certificate");
    expect(cache.size).toBe(0);
    await inspectChain(pem("int", "root"), { now, cache });
    expect(cache.size).toBe(1);
  });
});
