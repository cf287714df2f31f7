/** The hand-written MD5 (kept: lib/pki also runs in the browser, where neither WebCrypto nor node:crypto has MD5) against node:crypto. */
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { md5 } from "./md5";

const hex = (u: Uint8Array) => Buffer.from(u).toString("hex");
const reference = (u: Uint8Array) => createHash("md5").update(u).digest("hex");

describe("md5", () => {
  it("matches RFC 1321's test suite", () => {
    const text = (s: string) => hex(md5(new TextEncoder().encode(s)));
    expect(text("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(text("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(text("12345678901234567890123456789012345678901234567890123456789012345678901234567890")).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });

  it("matches node:crypto at every padding boundary and on certificate-sized inputs", () => {
    let seed = 1;
    const byte = () => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24);
    const lengths = [...Array.from({ length: 200 }, (_, i) => i), 447, 448, 511, 512, 1023, 1024, 1500, 4096, 65_537];
    for (const n of lengths) {
      const input = Uint8Array.from({ length: n }, byte);
      expect(hex(md5(input)), `length ${n}`).toBe(reference(input));
    }
  });
});
