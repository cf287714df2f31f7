/**
 * The forwarding presets' certificate fields against `openssl x509` for names that exercise every escaping rule:
 * non-ASCII (UTF-8 bytes escaped), a multi-valued RDN, leading and trailing spaces, a leading #, RFC 2253 specials
 * and attributes OpenSSL names by their short names (emailAddress, serialNumber, DC, UID).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { certFields } from "./fields";

const OPENSSL = process.env.OPENSSL ?? "/usr/bin/openssl";
const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-fields-"));

function make(subj: string, extra: string[] = []): { file: string; der: Uint8Array } {
  const file = path.join(dir, `${Math.random().toString(36).slice(2)}.pem`);
  execFileSync(OPENSSL, ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${file}.key`, "-out", file, "-days", "3", "-utf8", "-multivalue-rdn", "-subj", subj, ...extra], { stdio: "ignore" });
  const pem = readFileSync(file, "utf8");
  return { file, der: new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64")) };
}
const x509 = (file: string, ...args: string[]) => execFileSync(OPENSSL, ["x509", "-in", file, "-noout", ...args], { encoding: "utf8" }).trim();
const after = (s: string) => s.slice(s.indexOf("=") + 1);

describe("certificate fields in OpenSSL's printed forms", () => {
  it.each([
    ["/C=DE/O=Müller & Söhne/OU=a+UID=b/CN= lead and trail /emailAddress=x@y.z/serialNumber=42/DC=example/L=#hash"],
    ["/CN=Doe, John \"JD\" <jd>;+x\\y/O=Acme=Inc"],
    ["/CN=日本語/OU=tab\there"],
  ])("%s", (subj) => {
    const c = make(subj, ["-addext", "subjectKeyIdentifier=hash"]);
    const f = certFields(c.der);
    expect(f.subjectRfc2253).toBe(after(x509(c.file, "-subject", "-nameopt", "RFC2253")));
    expect(f.issuerRfc2253).toBe(after(x509(c.file, "-issuer", "-nameopt", "RFC2253")));
    expect(f.subjectLegacy).toBe(after(x509(c.file, "-subject", "-nameopt", "compat")));
    expect(f.serial).toBe(after(x509(c.file, "-serial")));
    expect(f.notBefore).toBe(after(x509(c.file, "-startdate")));
    expect(f.notAfter).toBe(after(x509(c.file, "-enddate")));
    expect(f.sha1).toBe(after(x509(c.file, "-fingerprint", "-sha1")).replace(/:/g, "").toLowerCase());
    expect(f.ski).toBe(x509(c.file, "-ext", "subjectKeyIdentifier").split("\n")[1].trim().replace(/:/g, ""));
    expect(f.selfIssued).toBe(true);
  });
});
