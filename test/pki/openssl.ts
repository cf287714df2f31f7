/** Thin helpers around the `openssl` CLI for generating test PKIs. */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const OPENSSL = process.env.OPENSSL ?? "/usr/bin/openssl";

export function ossl(args: string[], cwd: string): string {
  return execFileSync(OPENSSL, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

export type KeyAlg = "rsa" | "rsa4096" | "ec" | "ec384" | "ed25519";

export interface Ca {
  name: string;
  cert: string;
  key: string;
  cnf: string;
}

export interface IssueOptions {
  subj: string;
  alg?: KeyAlg;
  /** Extension lines, e.g. ["basicConstraints=critical,CA:true"]. */
  ext?: string[];
  md?: string;
  sigopt?: string[];
  /** YYMMDDHHMMSSZ */
  start?: string;
  end?: string;
  days?: number;
  /** Reuse an existing key file. */
  key?: string;
}

export const CA_EXT = [
  "basicConstraints=critical,CA:true",
  "keyUsage=critical,keyCertSign,cRLSign",
  "subjectKeyIdentifier=hash",
  "authorityKeyIdentifier=keyid:always",
];
export const CLIENT_EXT = [
  "basicConstraints=CA:FALSE",
  "keyUsage=critical,digitalSignature,keyEncipherment",
  "extendedKeyUsage=clientAuth",
  "subjectKeyIdentifier=hash",
  "authorityKeyIdentifier=keyid:always",
];

/** YYMMDDHHMMSSZ for now + days. */
export function utc(daysFromNow: number): string {
  const d = new Date(Date.now() + daysFromNow * 86_400_000);
  return d.toISOString().replace(/[-:T]/g, "").slice(2, 14) + "Z";
}

export class Pki {
  constructor(readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  read(name: string): string {
    return readFileSync(this.path(name), "utf8");
  }

  key(name: string, alg: KeyAlg = "rsa"): string {
    const out = this.path(`${name}.key`);
    const args: Record<KeyAlg, string[]> = {
      rsa: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
      rsa4096: ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
      ec: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
      ec384: ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
      ed25519: ["-algorithm", "ED25519"],
    };
    ossl(["genpkey", ...args[alg], "-out", out], this.dir);
    return out;
  }

  private extFile(name: string, ext: string[]): string {
    const f = this.path(`${name}.ext.cnf`);
    writeFileSync(f, `[req]\ndistinguished_name=dn\nstring_mask=utf8only\n[dn]\n[ext]\n${ext.join("\n")}\n[dir_sect]\nO=Acme\n`);
    return f;
  }

  private caConfig(name: string): string {
    const d = this.path(`${name}.ca`);
    mkdirSync(join(d, "newcerts"), { recursive: true });
    writeFileSync(join(d, "index.txt"), "");
    writeFileSync(join(d, "serial"), `${Math.floor(Math.random() * 1e12).toString(16).padStart(16, "1")}\n`);
    writeFileSync(join(d, "crlnumber"), "1000\n");
    const cnf = join(d, "openssl.cnf");
    writeFileSync(
      cnf,
      [
        "[ca]",
        "default_ca=CA_default",
        "[CA_default]",
        `dir=${d}`,
        "database=$dir/index.txt",
        "new_certs_dir=$dir/newcerts",
        "serial=$dir/serial",
        "crlnumber=$dir/crlnumber",
        "default_md=sha256",
        "default_days=365",
        "default_crl_days=30",
        "policy=policy_any",
        "unique_subject=no",
        "copy_extensions=none",
        "string_mask=utf8only",
        "[policy_any]",
        "commonName=optional",
        "organizationName=optional",
        "countryName=optional",
        "emailAddress=optional",
        "organizationalUnitName=optional",
        "",
      ].join("\n"),
    );
    return cnf;
  }

  /** Self-signed root via `openssl req -x509` (or `openssl ca -selfsign` when dates are given). */
  root(name: string, o: IssueOptions): Ca {
    const key = o.key ?? this.key(name, o.alg);
    const cert = this.path(`${name}.pem`);
    const cnf = this.caConfig(name);
    const ext = this.extFile(name, o.ext ?? CA_EXT.map((l) => l.replace("keyid:always", "keyid")));
    const md = o.md ? [`-${o.md}`] : [];
    if (o.start || o.end) {
      const csr = this.path(`${name}.csr`);
      ossl(["req", "-new", "-utf8", "-key", key, "-subj", o.subj, "-out", csr], this.dir);
      ossl(
        ["ca", "-batch", "-selfsign", "-config", cnf, "-keyfile", key, "-in", csr, "-out", cert, "-extfile", ext, "-extensions", "ext",
          "-notext", "-preserveDN", "-utf8", ...(o.start ? ["-startdate", o.start] : []), ...(o.end ? ["-enddate", o.end] : ["-days", "3650"])],
        this.dir,
      );
    } else {
      ossl(["req", "-x509", "-new", "-utf8", "-key", key, "-subj", o.subj, ...md, ...(o.sigopt ?? []).flatMap((s) => ["-sigopt", s]),
        "-days", String(o.days ?? 3650), "-config", ext, "-extensions", "ext", "-out", cert], this.dir);
    }
    return { name, cert, key, cnf };
  }

  /** Certificate issued by `issuer` via `openssl ca` (supports dates, digests, PSS, revocation). */
  issue(name: string, issuer: Ca, o: IssueOptions): Ca {
    const key = o.key ?? this.key(name, o.alg);
    const csr = this.path(`${name}.csr`);
    const cert = this.path(`${name}.pem`);
    ossl(["req", "-new", "-utf8", "-key", key, "-subj", o.subj, "-out", csr], this.dir);
    const ext = this.extFile(name, o.ext ?? CLIENT_EXT);
    ossl(
      ["ca", "-batch", "-config", issuer.cnf, "-cert", issuer.cert, "-keyfile", issuer.key, "-in", csr, "-out", cert,
        "-extfile", ext, "-extensions", "ext", "-notext", "-preserveDN", "-utf8", "-md", o.md ?? "sha256",
        ...(o.sigopt ?? []).flatMap((s) => ["-sigopt", s]),
        ...(o.start ? ["-startdate", o.start] : []), ...(o.end ? ["-enddate", o.end] : ["-days", String(o.days ?? 365)])],
      this.dir,
    );
    return { name, cert, key, cnf: this.caConfig(name) };
  }

  revoke(ca: Ca, certFile: string, reason = "keyCompromise"): void {
    ossl(["ca", "-batch", "-config", ca.cnf, "-cert", ca.cert, "-keyfile", ca.key, "-revoke", certFile, "-crl_reason", reason], this.dir);
  }

  crl(ca: Ca, name: string, o: { last?: string; next?: string } = {}): string {
    const out = this.path(`${name}.crl.pem`);
    ossl(["ca", "-batch", "-gencrl", "-config", ca.cnf, "-cert", ca.cert, "-keyfile", ca.key, "-out", out,
      ...(o.last ? ["-crl_lastupdate", o.last] : []), ...(o.next ? ["-crl_nextupdate", o.next] : ["-crldays", "30"])], this.dir);
    return out;
  }

  cat(name: string, files: string[]): string {
    const out = this.path(name);
    writeFileSync(out, files.map((f) => readFileSync(f, "utf8")).join(""));
    return out;
  }
}
