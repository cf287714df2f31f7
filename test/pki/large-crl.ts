/**
 * A CRL with tens of thousands of entries, made with `openssl ca -gencrl` from a generated index (60,000 entries
 * take under a second). Used by test/integration/test-mtls.test.ts, test/pki/crl-cache.test.ts and bench/crl.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface LargeCrlOptions {
  /** The signing CA's certificate and key files. */
  caCert: string;
  caKey: string;
  /** e.g. ["-passin", "pass:secret"] for an encrypted key. */
  passin?: string[];
  /** Synthetic revoked serials (1000000, 1000001, ... in hex). */
  count: number;
  /** Extra serials to revoke, as hex (e.g. from `openssl x509 -serial`). */
  revoke?: string[];
  /** First synthetic serial; change it to get a different CRL of the same size. */
  firstSerial?: number;
}

/** Returns the PEM of a CRL revoking `count` synthetic serials plus `revoke`. */
export function generateLargeCrl(o: LargeCrlOptions): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-large-crl-"));
  const line = (serial: string, i: number) => `R\t300101000000Z\t250101000000Z,keyCompromise\t${serial}\tunknown\t/CN=revoked-${i}\n`;
  const first = o.firstSerial ?? 0x1000000;
  const rows: string[] = [];
  for (let i = 0; i < o.count; i++) rows.push(line((first + i).toString(16).toUpperCase().padStart(8, "0"), i));
  (o.revoke ?? []).forEach((s, i) => rows.push(line(s.replace(/:/g, "").toUpperCase(), o.count + i)));
  writeFileSync(path.join(dir, "index.txt"), rows.join(""));
  writeFileSync(path.join(dir, "crlnumber"), "1000\n");
  const cnf = path.join(dir, "openssl.cnf");
  writeFileSync(cnf, `[ca]\ndefault_ca=d\n[d]\ndir=${dir}\ndatabase=$dir/index.txt\ncrlnumber=$dir/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\nunique_subject=no\n`);
  const out = path.join(dir, "large.crl.pem");
  execFileSync("openssl", ["ca", "-batch", "-gencrl", "-config", cnf, "-cert", o.caCert, "-keyfile", o.caKey, ...(o.passin ?? []), "-out", out], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  return readFileSync(out, "utf8");
}
