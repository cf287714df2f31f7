/**
 * Client certificates and CRLs on top of the seed walkthrough chain (e2e/helpers/certs.ts), generated with
 * the OpenSSL CLI at test time. Used by test/integration/{test-mtls,crls}.test.ts and e2e/test-mtls.spec.ts.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { generateRoot, generateSeedChain, type SeedChain } from "../../e2e/helpers/certs";

const PASS = "pass:portcullis-test";

function openssl(cwd: string, args: string[]): string {
  return execFileSync("openssl", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** YYMMDDHHMMSSZ, `days` from now. */
function utc(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
}

function caConfig(dir: string, name: string): string {
  const d = path.join(dir, `${name}.ca`);
  mkdirSync(d, { recursive: true });
  writeFileSync(path.join(d, "index.txt"), "");
  writeFileSync(path.join(d, "crlnumber"), "1000\n");
  const cnf = path.join(d, "openssl.cnf");
  writeFileSync(cnf, `[ca]\ndefault_ca=CA_default\n[CA_default]\ndir=${d}\ndatabase=$dir/index.txt\ncrlnumber=$dir/crlnumber\ndefault_md=sha256\ndefault_crl_days=30\n`);
  return cnf;
}

export interface TestPki {
  seed: SeedChain;
  dir: string;
  /** client.pem "John Doe", signed by the intermediate (as in the seed walkthrough). */
  johnPem: string;
  johnPath: string;
  /** "Jane Roe", signed by the intermediate. */
  janePem: string;
  janePath: string;
  /** John Doe's certificate followed by the intermediate (what a client sends). */
  johnWithIntermediate: string;
  /** An unrelated CA's client certificate. */
  strangerPem: string;
  /** CRL of the intermediate revoking John Doe (PEM), and the same as DER. */
  crlRevokingJohn: string;
  crlRevokingJohnDer: Buffer;
  crlRevokingJohnPath: string;
  /** CRL of the intermediate revoking nobody. */
  crlEmpty: string;
  /** CRL of the intermediate whose nextUpdate has passed. */
  crlStale: string;
  /** CRL from a foreign CA. */
  crlForeign: string;
}

function client(dir: string, name: string, cn: string, issuerPem: string, issuerKey: string, passin: string[] = ["-passin", PASS]): string {
  openssl(dir, ["req", "-new", "-newkey", "rsa:2048", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
  openssl(dir, ["x509", "-req", "-in", `${name}.csr`, "-CA", issuerPem, "-CAkey", issuerKey, "-CAcreateserial", "-out", `${name}.pem`, "-days", "365", "-sha256", ...passin]);
  return path.join(dir, `${name}.pem`);
}

export function generateTestPki(opts: { rootCN?: string; intermediateCN?: string } = {}): TestPki {
  const seed = generateSeedChain(opts);
  const dir = seed.dir;
  const johnPath = client(dir, "client", "John Doe", "intermediate.pem", "intermediate.key");
  const janePath = client(dir, "jane", "Jane Roe", "intermediate.pem", "intermediate.key");
  const johnPem = readFileSync(johnPath, "utf8");

  const crl = (name: string, revoke: string[], dates: string[] = ["-crldays", "30"]) => {
    const cnf = caConfig(dir, name);
    const ca = ["-config", cnf, "-cert", "intermediate.pem", "-keyfile", "intermediate.key", "-passin", PASS];
    for (const r of revoke) openssl(dir, ["ca", "-batch", ...ca, "-revoke", r, "-crl_reason", "keyCompromise"]);
    openssl(dir, ["ca", "-batch", "-gencrl", ...ca, "-out", `${name}.crl.pem`, ...dates]);
    return path.join(dir, `${name}.crl.pem`);
  };
  const crlRevokingJohnPath = crl("revoke-john", [johnPath]);
  openssl(dir, ["crl", "-in", crlRevokingJohnPath, "-outform", "DER", "-out", "revoke-john.crl"]);
  const crlEmpty = readFileSync(crl("empty", []), "utf8");
  const crlStale = readFileSync(crl("stale", [], ["-crl_lastupdate", utc(-60), "-crl_nextupdate", utc(-30)]), "utf8");

  const foreign = generateRoot("/CN=Foreign Root");
  const fcnf = caConfig(foreign.dir, "foreign");
  openssl(foreign.dir, ["ca", "-batch", "-gencrl", "-config", fcnf, "-cert", "root.pem", "-keyfile", "root.key", "-out", "foreign.crl.pem", "-crldays", "30"]);
  const strangerPath = client(foreign.dir, "stranger", "John Doe", "root.pem", "root.key", []);

  return {
    seed,
    dir,
    johnPem,
    johnPath,
    janePem: readFileSync(janePath, "utf8"),
    janePath,
    johnWithIntermediate: johnPem + seed.intermediatePem,
    strangerPem: readFileSync(strangerPath, "utf8"),
    crlRevokingJohn: readFileSync(crlRevokingJohnPath, "utf8"),
    crlRevokingJohnDer: readFileSync(path.join(dir, "revoke-john.crl")),
    crlRevokingJohnPath,
    crlEmpty,
    crlStale,
    crlForeign: readFileSync(path.join(foreign.dir, "foreign.crl.pem"), "utf8"),
  };
}
