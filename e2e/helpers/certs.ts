/**
 * Test PKI generated at test time with the OpenSSL CLI, following the "Generate mTLS certificates" walkthrough
 * of the Cloudflare docs (seeds/000) command for command. The walkthrough is interactive; the only additions
 * here are `-passout/-passin` for the key passwords and `-subj` for the optional name fields.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const PASS = "pass:portcullis-test";

function openssl(cwd: string, args: string[]): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });
}

export interface SeedChain {
  dir: string;
  rootPem: string;
  intermediatePem: string;
  /** `cat intermediate.pem rootCA.pem > ca-chain.pem` */
  chainPem: string;
  /** rootCA.key as written by `openssl genrsa -aes256` (an ENCRYPTED PRIVATE KEY block). */
  rootKeyPem: string;
  rootKeyPath: string;
  intermediateKeyPath: string;
  rootCN: string;
  intermediateCN: string;
}

/** Root CA + intermediate exactly as in the seed walkthrough (RSA 4096, SHA-256). */
export function generateSeedChain(opts: { rootCN?: string; intermediateCN?: string } = {}): SeedChain {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-pki-"));
  const rootCN = opts.rootCN ?? "Access Testing Root CA";
  const intermediateCN = opts.intermediateCN ?? "Access Testing Intermediate CA";
  // Generate the root CA
  openssl(dir, ["genrsa", "-aes256", "-out", "rootCA.key", "-passout", PASS, "4096"]);
  openssl(dir, ["req", "-x509", "-new", "-nodes", "-key", "rootCA.key", "-sha256", "-days", "3650", "-out", "rootCA.pem", "-passin", PASS, "-subj", `/O=Access Testing/CN=${rootCN}`]);
  // Generate an intermediate certificate
  openssl(dir, ["genrsa", "-aes256", "-out", "intermediate.key", "-passout", PASS, "4096"]);
  openssl(dir, ["req", "-new", "-sha256", "-key", "intermediate.key", "-out", "intermediate.csr", "-passin", PASS, "-subj", `/O=Access Testing/CN=${intermediateCN}`]);
  writeFileSync(
    path.join(dir, "v3_intermediate_ca.ext"),
    [
      "subjectKeyIdentifier = hash",
      "authorityKeyIdentifier = keyid:always,issuer",
      "basicConstraints = critical, CA:true",
      "keyUsage = critical, cRLSign, keyCertSign",
      "",
    ].join("\n"),
  );
  openssl(dir, ["x509", "-req", "-in", "intermediate.csr", "-CA", "rootCA.pem", "-CAkey", "rootCA.key", "-CAcreateserial", "-out", "intermediate.pem", "-days", "1825", "-sha256", "-extfile", "v3_intermediate_ca.ext", "-passin", PASS]);
  // Create a CA chain file
  const rootPem = readFileSync(path.join(dir, "rootCA.pem"), "utf8");
  const intermediatePem = readFileSync(path.join(dir, "intermediate.pem"), "utf8");
  const chainPem = intermediatePem + rootPem;
  writeFileSync(path.join(dir, "ca-chain.pem"), chainPem);
  return {
    dir,
    rootPem,
    intermediatePem,
    chainPem,
    rootKeyPem: readFileSync(path.join(dir, "rootCA.key"), "utf8"),
    rootKeyPath: path.join(dir, "rootCA.key"),
    intermediateKeyPath: path.join(dir, "intermediate.key"),
    rootCN,
    intermediateCN,
  };
}

/** A quick self-signed EC (P-256) root with an arbitrary subject (e.g. one containing HTML). */
export function generateRoot(subject: string, opts: { days?: number } = {}): { pem: string; keyPem: string; dir: string } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-root-"));
  openssl(dir, ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "root.key"]);
  openssl(dir, ["req", "-x509", "-new", "-key", "root.key", "-sha256", "-days", String(opts.days ?? 365), "-out", "root.pem", "-subj", subject]);
  return { pem: readFileSync(path.join(dir, "root.pem"), "utf8"), keyPem: readFileSync(path.join(dir, "root.key"), "utf8"), dir };
}

/** The root's DER bytes (for "Upload certificate file" with a .der / .cer file). */
export function pemToDer(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64");
}
