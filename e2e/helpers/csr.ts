/** Certificate signing requests made with the OpenSSL CLI at test time (good, tampered, weak key) and key checks; used by the client-certificate API tests (integration and e2e). */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export function openssl(args: string[], input?: string): string {
  return execFileSync("openssl", args, { encoding: "utf8", input, stdio: [input === undefined ? "ignore" : "pipe", "pipe", "pipe"] });
}

const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-csr-"));
let n = 0;

export interface TestCsr {
  csr: string;
  keyPath: string;
}

/** A CSR for `subject` ("/CN=…/O=…") with a new key: `ec` P-256 by default, or `rsa:BITS`. */
export function makeCsr(subject: string, key = "ec"): TestCsr {
  const base = path.join(dir, `csr-${++n}`);
  const keyArgs = key === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", key];
  openssl(["req", "-new", ...keyArgs, "-nodes", "-keyout", `${base}.key`, "-subj", subject, "-out", `${base}.csr`]);
  return { csr: readFileSync(`${base}.csr`, "utf8"), keyPath: `${base}.key` };
}

/** The same CSR with one bit of its signature flipped: well-formed, but the signature no longer verifies. */
export function tamperSignature(csrPem: string): string {
  const b64 = csrPem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  const der = Buffer.from(b64, "base64");
  der[der.length - 3] ^= 0x01;
  const lines = der.toString("base64").match(/.{1,64}/g)!.join("\n");
  return `-----BEGIN CERTIFICATE REQUEST-----\n${lines}\n-----END CERTIFICATE REQUEST-----\n`;
}

/** SubjectPublicKeyInfo (PEM) of a certificate or a private key file, as OpenSSL reads it. */
export function certificatePublicKey(certPem: string): string {
  return openssl(["x509", "-noout", "-pubkey"], certPem);
}
export function keyFilePublicKey(keyPath: string): string {
  return openssl(["pkey", "-in", keyPath, "-pubout"]);
}

/** `openssl verify` of a leaf against a CA (both PEM) for TLS client use: "…: OK" or OpenSSL's complaint. */
export function verifyWith(caPem: string, leafPem: string): string {
  const ca = path.join(dir, `ca-${++n}.pem`);
  const leaf = path.join(dir, `leaf-${n}.pem`);
  writeFileSync(ca, caPem);
  writeFileSync(leaf, leafPem);
  try {
    return openssl(["verify", "-purpose", "sslclient", "-CAfile", ca, leaf]).trim();
  } catch (e) {
    return String((e as { stderr?: string }).stderr ?? e);
  }
}
