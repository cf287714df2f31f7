/**
 * lib/pki parses X.509 itself (speed: see lib/pki/x509.ts). This cross-checks the parser against
 * @peculiar/x509 on every certificate of the system bundle and on the test PKI.
 */
import "reflect-metadata";
import { readFileSync } from "node:fs";
import * as x509 from "@peculiar/x509";
import { describe, expect, it } from "vitest";
import { hexColon } from "../../lib/pki/der";
import { splitInput } from "../../lib/pki/pem";
import { parseCertificate } from "../../lib/pki/x509";
import { CA_BUNDLE_PATH } from "../fixtures";
import { pem } from "./fixtures";

function compare(text: string) {
  const blocks = splitInput(text).blocks;
  expect(blocks.length).toBeGreaterThan(0);
  for (const b of blocks) {
    const ours = parseCertificate(b.der);
    const ref = new x509.X509Certificate(b.der as BufferSource);
    expect(ours.subject.rdns.flat().filter((a) => a.oid === "2.5.4.3").map((a) => a.value)).toEqual(ref.subjectName.getField("CN"));
    expect(ours.serialHex.replace(/:/g, "").toLowerCase().replace(/^0+(?=.)/, "")).toBe(ref.serialNumber.replace(/^0+(?=.)/, ""));
    expect(ours.notBefore.getTime()).toBe(ref.notBefore.getTime());
    expect(ours.notAfter.getTime()).toBe(ref.notAfter.getTime());
    const bc = ref.getExtension(x509.BasicConstraintsExtension);
    expect(ours.basicConstraints?.ca ?? null).toBe(bc ? bc.ca : null);
    const ski = ref.getExtension(x509.SubjectKeyIdentifierExtension);
    expect(ours.subjectKeyId ? hexColon(ours.subjectKeyId).replace(/:/g, "").toLowerCase() : null).toBe(ski ? ski.keyId : null);
    const ku = ref.getExtension(x509.KeyUsagesExtension);
    expect(ours.keyUsage).toBe(ku ? ku.usages : null);
    expect(ours.extensions.map((e) => [e.oid, e.critical])).toEqual(ref.extensions.map((e) => [e.type, e.critical]));
  }
}

describe("parser parity with @peculiar/x509", () => {
  it("agrees on a CA bundle of 144 public roots", () => compare(readFileSync(CA_BUNDLE_PATH, "utf8")));
  it("agrees on the test PKI", () =>
    compare(pem("seed/ca-chain.pem", "leaf", "ec-leaf", "int-nc", "utf8-root", "html-root", "alg-rsa-pss", "alg-ed25519", "leaf-critical-ext")));
});
