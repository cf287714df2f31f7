/**
 * In-process checks of the RFC 5280 work (issue #17 §1) that the CLI differential cannot time or see: name-constraint
 * work is refused quickly and never done under a forged intermediate, serials are keyed as encoded, and the
 * inspector reports missing key identifiers as warnings and structural faults as errors.
 */
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { beforeAll, describe, expect, it } from "vitest";
import { inspectChain } from "../../lib/pki/inspect";
import { validateClientCertificate } from "../../lib/pki/validate";
import { parseCertificate } from "../../lib/pki/x509";
import { cert, E, name, newKey, OIDS, pem } from "./der-build";
import { rfcCorpus, rx } from "./rfc-corpus";

const read = (f: string) => readFileSync(rx(`${f}.pem`), "utf8");
const der = (f: string) => new Uint8Array(Buffer.from(read(f).replace(/-----[^-]+-----|\s/g, ""), "base64"));

beforeAll(() => {
  rfcCorpus();
});

describe("bounded name-constraint work", () => {
  it("refuses 1031 names × 1030 subtrees at once instead of comparing them", async () => {
    const run = () => validateClientCertificate({ leaf: read("nc-explosion-leaf"), trustAnchors: [read("serial-root")], untrusted: [read("nc-explosion-int")] });
    await run(); // warm-up: signatures and parsing are not what is measured
    const t0 = performance.now();
    const r = await run();
    const ms = performance.now() - t0;
    expect(r.errors.map((e) => `${e.code}@${e.depth}`)).toEqual(["unspecified@0"]);
    expect(r.errors[0].detail).toContain("1031 names × 1030 name-constraint subtrees");
    expect(ms).toBeLessThan(500);
  });

  it("does not evaluate name constraints below an intermediate whose signature does not verify", async () => {
    const r = await validateClientCertificate({ leaf: read("nc-explosion-leaf"), trustAnchors: [read("serial-root")], untrusted: [read("nc-explosion-int-forged")] });
    expect(r.errors.map((e) => e.code)).toEqual(["certificate_signature_failure"]);
    expect(r.steps.filter((s) => s.id.startsWith("names:"))).toEqual([]);
    expect(r.steps.find((s) => s.id === "names")).toMatchObject({ ok: false, detail: "Not checked: a signature on the path does not verify." });
  });
});

describe("serials as encoded", () => {
  it("keys 255 (00 FF), -1 (FF) and a padded 1 (00 01) apart", () => {
    const a = parseCertificate(der("serial-255"));
    const b = parseCertificate(der("serial-minus-1"));
    expect(a.serialHex).toBe(b.serialHex); // the same magnitude octets for display…
    expect(a.serialKey).not.toBe(b.serialKey); // …but never the same serial for revocation
  });
});

describe("inspector: key identifiers and structure", () => {
  it("warns about a CA without a Subject Key Identifier and an intermediate without an Authority Key Identifier", async () => {
    const kr = newKey();
    const ki = newKey();
    const rn = name([OIDS.cn, "No SKI Root"]);
    const root = cert({ serial: 1, issuer: rn, subject: rn, key: kr, signer: kr, exts: [E.bc(true), E.ku(5, 6)] });
    const int = cert({ serial: 2, issuer: rn, subject: name([OIDS.cn, "No AKI CA"]), key: ki, signer: kr, exts: [E.bc(true), E.ku(5, 6), E.ski(ki)] });
    const r = await inspectChain(pem(int) + pem(root));
    const codes = r.issues.map((i) => `${i.severity}:${i.code}@${i.certificateIndex}`);
    expect(codes).toContain("warning:missing_subject_key_identifier@1");
    expect(codes).toContain("warning:missing_authority_key_identifier@0");
    expect(r.verdict).toBe("warning");
  });

  it("refuses a CA with a duplicate extension or a zero serial", async () => {
    const k = newKey();
    const n = name([OIDS.cn, "Odd Root"]);
    const dup = cert({ serial: 1, issuer: n, subject: n, key: k, signer: k, exts: [E.bc(true), E.ku(5, 6), E.ku(5), E.ski(k)] });
    const zero = cert({ serial: Buffer.from([0]), issuer: n, subject: n, key: k, signer: k, exts: [E.bc(true), E.ku(5, 6), E.ski(k)] });
    expect((await inspectChain(pem(dup))).issues.map((i) => i.code)).toContain("invalid_extension");
    expect((await inspectChain(pem(zero))).issues.map((i) => i.code)).toContain("invalid_serial_number");
  });
});
