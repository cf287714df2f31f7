/** Shared inputs and guards for the fast-check fuzz tests. */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { CA_BUNDLE_PATH } from "../fixtures";

// A fixed seed keeps `npm test` reproducible for everyone; FUZZ_SEED=random explores (and FUZZ_SEED=<n> replays).
if (process.env.FUZZ_SEED !== "random") fc.configureGlobal({ seed: Number(process.env.FUZZ_SEED ?? 20261123) });

/** Hang guard (not a speed check): an input that keeps the parser busy this long is reported as a hang. */
export const HANG_MS = 5000;

/** Runs `fn` and fails when it throws, rejects, or has not settled within HANG_MS (async hang). */
export async function bounded<T>(what: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const hang = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: did not settle within ${HANG_MS} ms`)), HANG_MS);
  });
  try {
    const out = await Promise.race([fn(), hang]);
    // A synchronous busy loop cannot be interrupted by the timer; report it once it returns.
    if (Date.now() - started > HANG_MS) throw new Error(`${what}: took ${Date.now() - started} ms on one input`);
    return out;
  } finally {
    clearTimeout(timer);
  }
}

/** A few real certificates (PEM blocks) from the shipped bundle of public roots (the same on every machine). */
export function systemPems(max = 12): string[] {
  const blocks = readFileSync(CA_BUNDLE_PATH, "utf8").match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  const step = Math.max(1, Math.floor(blocks.length / max));
  return blocks.filter((_, i) => i % step === 0).slice(0, max);
}

export function pemToDer(pem: string): Uint8Array {
  return new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ""), "base64"));
}

export interface SmallPki {
  rootPem: string;
  intermediatePem: string;
  leafPem: string;
  /** an empty CRL signed by the root (valid for 30 days) */
  rootCrlPem: string;
}

/** EC root → intermediate → client leaf, made with the OpenSSL CLI (fast: P-256 keys). */
export function smallPki(): SmallPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-fuzz-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  writeFileSync(path.join(dir, "ca.ext"), "basicConstraints=critical,CA:true\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  writeFileSync(path.join(dir, "leaf.ext"), "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid:always\n");
  for (const k of ["root", "int", "leaf"]) run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", `${k}.key`]);
  run(["req", "-x509", "-new", "-key", "root.key", "-sha256", "-days", "3650", "-subj", "/O=Fuzz/CN=Fuzz Root", "-out", "root.pem"]);
  run(["req", "-new", "-key", "int.key", "-subj", "/O=Fuzz/CN=Fuzz Intermediate", "-out", "int.csr"]);
  run(["x509", "-req", "-in", "int.csr", "-CA", "root.pem", "-CAkey", "root.key", "-set_serial", "2", "-days", "1825", "-sha256", "-extfile", "ca.ext", "-out", "int.pem"]);
  run(["req", "-new", "-key", "leaf.key", "-subj", "/O=Fuzz/CN=device-1", "-out", "leaf.csr"]);
  run(["x509", "-req", "-in", "leaf.csr", "-CA", "int.pem", "-CAkey", "int.key", "-set_serial", "3", "-days", "365", "-sha256", "-extfile", "leaf.ext", "-out", "leaf.pem"]);
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "crlnumber"), "01\n");
  writeFileSync(path.join(dir, "ca.cnf"), "[ca]\ndefault_ca = d\n[d]\ndatabase = index.txt\ncrlnumber = crlnumber\ndefault_md = sha256\ndefault_crl_days = 30\n");
  run(["ca", "-gencrl", "-config", "ca.cnf", "-keyfile", "root.key", "-cert", "root.pem", "-out", "root.crl"]);
  const read = (f: string) => readFileSync(path.join(dir, f), "utf8");
  return { rootPem: read("root.pem"), intermediatePem: read("int.pem"), leafPem: read("leaf.pem"), rootCrlPem: read("root.crl") };
}

/** Byte-level mutations of a valid DER value: flips, overwrites, truncation, insertion, deletion. */
export function mutatedBytes(seed: Uint8Array): fc.Arbitrary<Uint8Array> {
  const n = seed.length;
  const flip = fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
    const b = seed.slice();
    b[i] ^= x;
    return b;
  });
  const overwrite = fc.tuple(fc.nat({ max: n - 1 }), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([i, xs]) => {
    const b = seed.slice();
    b.set(xs.slice(0, n - i), i);
    return b;
  });
  const truncate = fc.nat({ max: n - 1 }).map((i) => seed.slice(0, i));
  const insert = fc.tuple(fc.nat({ max: n }), fc.uint8Array({ minLength: 1, maxLength: 16 })).map(([i, xs]) => {
    const b = new Uint8Array(n + xs.length);
    b.set(seed.subarray(0, i));
    b.set(xs, i);
    b.set(seed.subarray(i), i + xs.length);
    return b;
  });
  const remove = fc.tuple(fc.nat({ max: n - 1 }), fc.integer({ min: 1, max: 16 })).map(([i, k]) => {
    const b = new Uint8Array(n - Math.min(k, n - i));
    b.set(seed.subarray(0, i));
    b.set(seed.subarray(i + Math.min(k, n - i)), i);
    return b;
  });
  // Length-field attacks: set one of the first 8 bytes (tags and lengths of the outer structures) to an extreme.
  const header = fc.tuple(fc.nat({ max: Math.min(7, n - 1) }), fc.constantFrom(0x00, 0x7f, 0x80, 0x81, 0x84, 0x88, 0xff)).map(([i, v]) => {
    const b = seed.slice();
    b[i] = v;
    return b;
  });
  return fc.oneof(flip, overwrite, truncate, insert, remove, header);
}

/** Text-level mutations of a PEM document. */
export function mutatedPem(seed: string): fc.Arbitrary<string> {
  const n = seed.length;
  const b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=-\n\r \t";
  const replace = fc.tuple(fc.nat({ max: n - 1 }), fc.constantFrom(...b64.split(""))).map(([i, c]) => seed.slice(0, i) + c + seed.slice(i + 1));
  const cut = fc.tuple(fc.nat({ max: n }), fc.nat({ max: n })).map(([a, b]) => seed.slice(0, Math.min(a, b)) + seed.slice(Math.max(a, b)));
  const splice = fc.tuple(fc.nat({ max: n }), fc.string({ maxLength: 40 })).map(([i, s]) => seed.slice(0, i) + s + seed.slice(i));
  const label = fc.constantFrom("X509 CRL", "PRIVATE KEY", "RSA PRIVATE KEY", "CERTIFICATE REQUEST", "TRUSTED CERTIFICATE", "", "CERTIFICATE ").map((l) =>
    seed.replace(/CERTIFICATE/g, l),
  );
  const repeat = fc.integer({ min: 2, max: 5 }).map((k) => seed.repeat(k));
  const crlf = fc.constant(seed.replace(/\n/g, "\r\n"));
  return fc.oneof(replace, cut, splice, label, repeat, crlf);
}
