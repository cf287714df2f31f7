/**
 * Bench-time test PKI made with the OpenSSL CLI, shaped like the seed walkthrough (seeds/000): RSA-4096 root and
 * intermediate (SHA-256, intermediate signed by the root with CA:true), and client leaves issued by the intermediate.
 * Leaves share one RSA-2048 key (generation time is not what we measure; every leaf is still a distinct
 * certificate with its own serial, Common Name and intermediate signature).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface BenchPki {
  dir: string;
  rootPem: string;
  intermediatePem: string;
  /** intermediate + root, as uploaded to Portcullis (`ca-chain.pem`) */
  chainPem: string;
  rootFile: string;
  intermediateFile: string;
  chainFile: string;
  leaves: { cn: string; pem: string; der: Uint8Array; file: string }[];
}

const ossl = (cwd: string, args: string[]) => execFileSync("openssl", args, { cwd, stdio: ["ignore", "pipe", "pipe"] });

const CA_EXT = "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always,issuer\nbasicConstraints = critical, CA:true\nkeyUsage = critical, cRLSign, keyCertSign\n";
const LEAF_EXT =
  "basicConstraints = CA:FALSE\nkeyUsage = critical, digitalSignature, keyEncipherment\nextendedKeyUsage = clientAuth\nsubjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always\n";

export function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));
}

export function generateBenchPki(leafCount: number): BenchPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-pki-"));
  writeFileSync(path.join(dir, "ca.ext"), CA_EXT);
  writeFileSync(path.join(dir, "leaf.ext"), LEAF_EXT);
  ossl(dir, ["genrsa", "-out", "rootCA.key", "4096"]);
  ossl(dir, ["req", "-x509", "-new", "-nodes", "-key", "rootCA.key", "-sha256", "-days", "3650", "-out", "rootCA.pem", "-subj", "/O=Access Testing/CN=Access Testing Root CA"]);
  ossl(dir, ["genrsa", "-out", "intermediate.key", "4096"]);
  ossl(dir, ["req", "-new", "-sha256", "-key", "intermediate.key", "-out", "intermediate.csr", "-subj", "/O=Access Testing/CN=Access Testing Intermediate CA"]);
  ossl(dir, ["x509", "-req", "-in", "intermediate.csr", "-CA", "rootCA.pem", "-CAkey", "rootCA.key", "-CAcreateserial", "-out", "intermediate.pem", "-days", "1825", "-sha256", "-extfile", "ca.ext"]);
  ossl(dir, ["genrsa", "-out", "leaf.key", "2048"]);
  const rootPem = readFileSync(path.join(dir, "rootCA.pem"), "utf8");
  const intermediatePem = readFileSync(path.join(dir, "intermediate.pem"), "utf8");
  writeFileSync(path.join(dir, "ca-chain.pem"), intermediatePem + rootPem);
  const leaves: BenchPki["leaves"] = [];
  for (let i = 0; i < leafCount; i++) {
    const cn = `device-${String(i).padStart(5, "0")}`;
    const file = path.join(dir, `leaf-${i}.pem`);
    ossl(dir, ["req", "-new", "-key", "leaf.key", "-out", "leaf.csr", "-subj", `/O=Access Testing/CN=${cn}`]);
    ossl(dir, ["x509", "-req", "-in", "leaf.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-set_serial", String(1000 + i), "-out", file, "-days", "365", "-sha256", "-extfile", "leaf.ext"]);
    const pem = readFileSync(file, "utf8");
    leaves.push({ cn, pem, der: pemToDer(pem), file });
  }
  return {
    dir,
    rootPem,
    intermediatePem,
    chainPem: intermediatePem + rootPem,
    rootFile: path.join(dir, "rootCA.pem"),
    intermediateFile: path.join(dir, "intermediate.pem"),
    chainFile: path.join(dir, "ca-chain.pem"),
    leaves,
  };
}
