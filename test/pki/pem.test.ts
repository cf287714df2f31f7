import { describe, expect, it } from "vitest";
import { md5 } from "../../lib/pki/md5";
import { encodeBase64, MAX_INPUT_BYTES, PRIVATE_KEY_MESSAGE, splitInput, toPem } from "../../lib/pki/pem";
import { hexColon } from "../../lib/pki/der";
import { bytes, pem } from "./fixtures";

const codes = (input: string | Uint8Array) => splitInput(input).issues.map((i) => i.code);

describe("splitInput", () => {
  it("splits a PEM bundle into typed blocks", () => {
    const r = splitInput(pem("int", "root"));
    expect(r.issues).toEqual([]);
    expect(r.blocks.map((b) => [b.type, b.index])).toEqual([["CERTIFICATE", 0], ["CERTIFICATE", 1]]);
    expect(r.blocks[0].der[0]).toBe(0x30);
  });

  it("tolerates CRLF, indentation, trailing spaces and text around blocks", () => {
    const messy = `Here is my chain:\r\n${pem("int", "root")
      .split("\n")
      .map((l) => `   ${l}  `)
      .join("\r\n")}\r\n-- sent from my phone`;
    const r = splitInput(messy);
    expect(r.issues).toEqual([]);
    expect(r.blocks).toHaveLength(2);
    expect(r.blocks[0].der).toEqual(splitInput(pem("int")).blocks[0].der);
  });

  it("accepts DER bytes and bare base64", () => {
    const der = bytes("root.der");
    expect(splitInput(der).blocks[0].der).toEqual(der);
    const b64 = pem("root").replace(/-----[^-]+-----/g, "");
    expect(splitInput(b64).blocks[0].der).toEqual(der);
    expect(splitInput(new TextEncoder().encode(pem("root"))).blocks[0].der).toEqual(der);
  });

  it("refuses private keys by name without echoing key material", () => {
    for (const f of ["leaf.key", "rsa-traditional.key", "ec-traditional.key", "seed/rootCA.key"]) {
      const text = pem(f);
      const r = splitInput(text);
      expect(r.blocks).toEqual([]);
      expect(r.issues.map((i) => i.code)).toContain("private_key");
      const msg = r.issues.find((i) => i.code === "private_key")!.message;
      expect(msg.startsWith(PRIVATE_KEY_MESSAGE)).toBe(true);
      const body = text.split("\n").filter((l) => l && !l.startsWith("-----"));
      for (const line of body) expect(JSON.stringify(r)).not.toContain(line.slice(0, 20));
    }
    expect(codes("-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----")).toEqual(["private_key"]);
  });

  it("refuses CSRs, CRLs and other block types", () => {
    expect(codes(pem("leaf.csr"))).toEqual(["csr"]);
    expect(codes(pem("int.crl.pem"))).toEqual(["crl"]);
    expect(codes("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")).toEqual(["unsupported_block"]);
    expect(codes("-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----")).toEqual(["unsupported_block"]);
    expect(codes(pem("root").replace(/CERTIFICATE/g, "TRUSTED CERTIFICATE"))).toEqual(["unsupported_block"]);
    // Certificates next to a refused block are still returned.
    const mixed = splitInput(pem("int") + pem("leaf.key") + pem("root"));
    expect(mixed.blocks.map((b) => b.index)).toEqual([0, 2]);
  });

  it("reports empty, garbage, truncated and bad base64 input", () => {
    expect(codes("")).toEqual(["empty_input"]);
    expect(codes("  \r\n \n")).toEqual(["empty_input"]);
    expect(codes("hello world, not a certificate")).toEqual(["no_certificates"]);
    const root = pem("root");
    expect(codes(root.slice(0, root.length / 2))).toEqual(["truncated_block"]);
    expect(codes("-----BEGIN CERTIFICATE-----\n!!!not base64!!!\n-----END CERTIFICATE-----")).toEqual(["invalid_base64"]);
  });

  it("checks the size limit before parsing", () => {
    const big = "A".repeat(MAX_INPUT_BYTES + 1);
    expect(codes(big)).toEqual(["input_too_large"]);
    expect(codes(new Uint8Array(MAX_INPUT_BYTES + 1))).toEqual(["input_too_large"]);
  });

  it("toPem round-trips", () => {
    const der = bytes("root.der");
    expect(toPem(der)).toBe(pem("root"));
    expect(splitInput(toPem(der)).blocks[0].der).toEqual(der);
  });
});

describe("encodeBase64", () => {
  it("matches Node's base64 for every length around its chunk boundaries, all byte values included", () => {
    const data = Uint8Array.from({ length: 3 * 1024 + 7 }, (_, i) => (i * 151 + 7) & 0xff);
    for (const n of [0, 1, 2, 3, 1023, 1024, 1025, 2047, 2048, 2049, 3078, data.length]) {
      expect(encodeBase64(data.subarray(0, n))).toBe(Buffer.from(data.subarray(0, n)).toString("base64"));
    }
  });
});

describe("md5", () => {
  it("matches RFC 1321 test vectors", () => {
    const h = (s: string) => hexColon(md5(new TextEncoder().encode(s))).replace(/:/g, "").toLowerCase();
    expect(h("")).toBe("d41d8cd98f00b204e9800998ecf8427e");
    expect(h("abc")).toBe("900150983cd24fb0d6963f7d28e17f72");
    expect(h("12345678901234567890123456789012345678901234567890123456789012345678901234567890")).toBe("57edf4a22be3c955ac49da2e2107b67a");
  });
});
