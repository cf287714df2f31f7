/**
 * Test PKI generated with the openssl CLI at test time, once per fixture-source version: the
 * directory is keyed by a hash of this file and openssl.ts, so every test file (vitest forks)
 * shares one generation. Generation happens in a temp dir renamed into place atomically.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CA_EXT, CLIENT_EXT, OPENSSL, Pki, utc } from "./openssl";

const here = fileURLToPath(new URL(".", import.meta.url));
const version = createHash("sha256")
  .update(readFileSync(join(here, "fixtures.ts")))
  .update(readFileSync(join(here, "openssl.ts")))
  .digest("hex")
  .slice(0, 12);
export const FIXTURE_DIR = join(tmpdir(), `portcullis-pki-fixtures-${version}`);

const INT_EXT = CA_EXT;
const SERVER_EXT = [
  "basicConstraints=CA:FALSE",
  "keyUsage=critical,digitalSignature,keyEncipherment",
  "extendedKeyUsage=serverAuth",
  "subjectAltName=DNS:www.example.com",
];

/** The Cloudflare seed walkthrough, command for command (passwords given non-interactively). */
function seedFlow(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const run = (args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: "pipe" });
  run(["genrsa", "-aes256", "-passout", "pass:rootpass", "-out", "rootCA.key", "4096"]);
  run(["req", "-x509", "-new", "-nodes", "-key", "rootCA.key", "-passin", "pass:rootpass", "-sha256", "-days", "3650", "-out", "rootCA.pem", "-subj", "/C=US/O=Portcullis Test/CN=Portcullis Test Root CA"]);
  run(["genrsa", "-aes256", "-passout", "pass:intpass", "-out", "intermediate.key", "4096"]);
  run(["req", "-new", "-sha256", "-key", "intermediate.key", "-passin", "pass:intpass", "-out", "intermediate.csr", "-subj", "/C=US/O=Portcullis Test/CN=Portcullis Test Intermediate CA"]);
  writeFileSync(
    join(dir, "v3_intermediate_ca.ext"),
    "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always,issuer\nbasicConstraints = critical, CA:true\nkeyUsage = critical, cRLSign, keyCertSign\n",
  );
  run(["x509", "-req", "-in", "intermediate.csr", "-CA", "rootCA.pem", "-CAkey", "rootCA.key", "-passin", "pass:rootpass", "-CAcreateserial", "-out", "intermediate.pem", "-days", "1825", "-sha256", "-extfile", "v3_intermediate_ca.ext"]);
  writeFileSync(join(dir, "ca-chain.pem"), readFileSync(join(dir, "intermediate.pem"), "utf8") + readFileSync(join(dir, "rootCA.pem"), "utf8"));
  run(["genrsa", "-out", "client.key", "2048"]);
  run(["req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=John Doe"]);
  run(["x509", "-req", "-in", "client.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-passin", "pass:intpass", "-CAcreateserial", "-out", "client.pem", "-days", "365", "-sha256"]);
}

function generate(dir: string): void {
  seedFlow(join(dir, "seed"));
  const p = new Pki(dir);
  const root = p.root("root", { subj: "/C=US/O=Acme/CN=Acme Root CA" });
  p.root("root-renamed", { subj: "/CN=Renamed Root", key: root.key });
  const int = p.issue("int", root, { subj: "/C=US/O=Acme/CN=Acme Issuing CA", ext: INT_EXT });
  p.issue("leaf", int, { subj: "/O=Acme/CN=John Doe" });
  p.issue("leaf-ec", int, { subj: "/O=Acme/CN=EC Device", alg: "ec" });
  p.issue("leaf-server-eku", int, { subj: "/O=Acme/CN=Server Only", ext: SERVER_EXT });
  p.issue("leaf-no-eku", int, { subj: "/O=Acme/CN=No EKU", ext: ["basicConstraints=CA:FALSE", "keyUsage=critical,digitalSignature"] });
  p.issue("leaf-any-eku", int, { subj: "/O=Acme/CN=Any EKU", ext: ["basicConstraints=CA:FALSE", "extendedKeyUsage=anyExtendedKeyUsage"] });
  p.issue("leaf-ku-encipher", int, { subj: "/O=Acme/CN=Encipher Only", ext: ["basicConstraints=CA:FALSE", "keyUsage=critical,keyEncipherment", "extendedKeyUsage=clientAuth"] });
  p.issue("leaf-critical-ext", int, { subj: "/O=Acme/CN=Critical Ext", ext: [...CLIENT_EXT, "1.2.3.4.5=critical,ASN1:NULL"] });
  p.issue("leaf-expired", int, { subj: "/O=Acme/CN=Expired Device", start: "200101000000Z", end: "210101000000Z" });
  p.issue("leaf-future", int, { subj: "/O=Acme/CN=Future Device", start: utc(10), end: utc(400) });
  p.issue("leaf-sha1", int, { subj: "/O=Acme/CN=SHA1 Device", md: "sha1" });
  p.issue("server", int, { subj: "/O=Acme/CN=www.example.com", ext: SERVER_EXT });

  // Direct client of the root, and a three-level chain for order tests.
  p.issue("leaf-root", root, { subj: "/CN=Root Client" });
  const int2 = p.issue("int2", int, { subj: "/O=Acme/CN=Acme Sub CA", ext: INT_EXT });
  p.issue("leaf-int2", int2, { subj: "/CN=Deep Client" });

  // Revocation: leaf and an intermediate revoked, CRLs from int and root, stale CRL.
  const revokedLeaf = p.issue("leaf-revoked", int, { subj: "/O=Acme/CN=Revoked Device" });
  p.revoke(int, revokedLeaf.cert);
  const intRevoked = p.issue("int-revoked", root, { subj: "/O=Acme/CN=Revoked CA", ext: INT_EXT });
  p.issue("leaf-under-revoked", intRevoked, { subj: "/CN=Under Revoked CA" });
  p.crl(intRevoked, "int-revoked");
  p.revoke(root, intRevoked.cert, "cACompromise");
  p.crl(int, "int");
  p.crl(root, "root");
  p.crl(int, "int-stale", { last: utc(-60), next: utc(-30) });

  // CA problems.
  const intCaFalse = p.issue("int-ca-false", root, { subj: "/CN=Not A CA", ext: ["basicConstraints=CA:FALSE", "keyUsage=critical,keyCertSign,cRLSign"] });
  p.issue("leaf-ca-false", intCaFalse, { subj: "/CN=Under Not A CA" });
  const intNoBc = p.issue("int-no-bc", root, { subj: "/CN=No Basic Constraints", ext: ["subjectKeyIdentifier=hash"] });
  p.issue("leaf-no-bc", intNoBc, { subj: "/CN=Under No BC" });
  const intNoCertSign = p.issue("int-no-certsign", root, { subj: "/CN=No CertSign CA", ext: ["basicConstraints=critical,CA:true", "keyUsage=critical,digitalSignature,cRLSign"] });
  p.issue("leaf-no-certsign", intNoCertSign, { subj: "/CN=Under No CertSign" });
  const intServerEku = p.issue("int-server-eku", root, { subj: "/CN=Server EKU CA", ext: [...INT_EXT, "extendedKeyUsage=serverAuth"] });
  p.issue("leaf-server-eku-ca", intServerEku, { subj: "/CN=Under Server EKU CA" });

  // Path length: root pathlen:0 → int → leaf.
  const rootPl0 = p.root("root-pl0", { subj: "/CN=Pathlen0 Root", ext: ["basicConstraints=critical,CA:true,pathlen:0", "keyUsage=critical,keyCertSign,cRLSign", "subjectKeyIdentifier=hash"] });
  const intPl = p.issue("int-pl", rootPl0, { subj: "/CN=Pathlen Int", ext: INT_EXT });
  p.issue("leaf-pl", intPl, { subj: "/CN=Pathlen Client" });

  // Forged links: same issuer name as "Acme Root CA", different key.
  const evil = p.root("evil-root", { subj: "/C=US/O=Acme/CN=Acme Root CA" });
  p.issue("forged-int-noaki", evil, { subj: "/CN=Forged Int", ext: ["basicConstraints=critical,CA:true", "keyUsage=critical,keyCertSign,cRLSign", "authorityKeyIdentifier=none"] });
  p.issue("forged-int-aki", evil, { subj: "/CN=Forged Int AKI", ext: INT_EXT });
  const evilInt = p.root("evil-int", { subj: "/C=US/O=Acme/CN=Acme Issuing CA" });
  p.issue("leaf-forged", evilInt, { subj: "/CN=Forged Client", ext: ["basicConstraints=CA:FALSE", "extendedKeyUsage=clientAuth", "authorityKeyIdentifier=none"] });

  // Validity of CAs.
  const intExpired = p.issue("int-expired", root, { subj: "/CN=Expired CA", ext: INT_EXT, start: "200101000000Z", end: "210101000000Z" });
  p.issue("leaf-under-expired", intExpired, { subj: "/CN=Under Expired CA", start: "200601000000Z", end: "201201000000Z" });
  const intFuture = p.issue("int-future", root, { subj: "/CN=Future CA", ext: INT_EXT, start: utc(10), end: utc(800) });
  p.issue("leaf-under-future", intFuture, { subj: "/CN=Under Future CA" });
  p.issue("int-soon", root, { subj: "/CN=Expiring Soon CA", ext: INT_EXT, end: utc(10) });

  // Name constraints.
  const ncInt = p.issue("int-nc", root, { subj: "/O=Acme/CN=Constrained CA", ext: [...INT_EXT, "nameConstraints=critical,permitted;DNS:example.com,permitted;email:.example.com,excluded;DNS:bad.example.com"] });
  p.issue("leaf-nc-ok", ncInt, { subj: "/CN=ok", ext: [...CLIENT_EXT, "subjectAltName=DNS:host.example.com,email:bob@corp.example.com"] });
  p.issue("leaf-nc-permitted", ncInt, { subj: "/CN=out", ext: [...CLIENT_EXT, "subjectAltName=DNS:evil.org"] });
  p.issue("leaf-nc-excluded", ncInt, { subj: "/CN=excluded", ext: [...CLIENT_EXT, "subjectAltName=DNS:x.bad.example.com"] });
  const ncDir = p.issue("int-nc-dir", root, { subj: "/O=Acme/CN=DirName CA", ext: [...INT_EXT, "nameConstraints=critical,permitted;dirName:dir_sect"] });
  p.issue("leaf-nc-dir-ok", ncDir, { subj: "/O=Acme/CN=Inside" });
  p.issue("leaf-nc-dir-bad", ncDir, { subj: "/O=Other/CN=Outside" });

  // ECDSA PKI (P-256 root, P-384 intermediate signed with SHA-384).
  const ecRoot = p.root("ec-root", { subj: "/O=Acme/CN=Acme EC Root", alg: "ec" });
  const ecInt = p.issue("ec-int", ecRoot, { subj: "/O=Acme/CN=Acme EC Issuing", alg: "ec384", ext: INT_EXT, md: "sha384" });
  p.issue("ec-leaf", ecInt, { subj: "/CN=EC Client", alg: "ec", md: "sha384" });
  p.crl(ecInt, "ec-int");
  p.crl(ecRoot, "ec-root");

  // One CA certificate per signature algorithm.
  for (const md of ["sha1", "sha256", "sha384", "sha512", "sha224", "md5"]) p.issue(`alg-rsa-${md}`, root, { subj: `/CN=RSA ${md} CA`, ext: INT_EXT, md });
  for (const md of ["sha1", "sha256", "sha384", "sha512"]) p.issue(`alg-ec-${md}`, ecRoot, { subj: `/CN=EC ${md} CA`, ext: INT_EXT, md });
  p.issue("alg-rsa-pss", root, { subj: "/CN=RSA PSS CA", ext: INT_EXT, sigopt: ["rsa_padding_mode:pss", "rsa_pss_saltlen:32"] });
  p.root("alg-ed25519", { subj: "/CN=Ed25519 Root", alg: "ed25519" });

  // Display edge cases and a v1-style root without extensions.
  p.root("utf8-root", { subj: "/CN=Zürich Ω CA/O=Société Générale" });
  p.root("html-root", { subj: "/CN=<script>alert(1)<\\/script>" });
  p.root("no-bc-root", { subj: "/CN=No BC Root", ext: ["subjectKeyIdentifier=hash"] });

  // Other block types.
  execFileSync(OPENSSL, ["genrsa", "-traditional", "-out", "rsa-traditional.key", "2048"], { cwd: dir, stdio: "pipe" });
  execFileSync(OPENSSL, ["ecparam", "-name", "prime256v1", "-genkey", "-out", "ec-traditional.key"], { cwd: dir, stdio: "pipe" });
  execFileSync(OPENSSL, ["x509", "-in", "root.pem", "-outform", "DER", "-out", "root.der"], { cwd: dir, stdio: "pipe" });
  execFileSync(OPENSSL, ["crl", "-in", "int.crl.pem", "-outform", "DER", "-out", "int.crl.der"], { cwd: dir, stdio: "pipe" });
}

let ready: string | null = null;

/** Ensure the fixtures exist and return their directory. */
export function fixtureDir(): string {
  if (ready) return ready;
  if (!existsSync(join(FIXTURE_DIR, ".done"))) {
    const tmp = `${FIXTURE_DIR}.tmp-${process.pid}-${Date.now()}`;
    generate(tmp);
    writeFileSync(join(tmp, ".done"), "");
    try {
      renameSync(tmp, FIXTURE_DIR);
    } catch {
      rmSync(tmp, { recursive: true, force: true }); // another worker won the race
    }
  }
  ready = FIXTURE_DIR;
  return ready;
}

export function fx(name: string): string {
  return join(fixtureDir(), name);
}

export function pem(...names: string[]): string {
  return names.map((n) => readFileSync(fx(n.includes(".") ? n : `${n}.pem`), "utf8")).join("");
}

export function bytes(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fx(name)));
}
