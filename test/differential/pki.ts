/**
 * The differential matrix's PKI, made with the openssl CLI: three CA hierarchies (root + intermediate, the
 * intermediate's CRL revoking one leaf) that configurations upload, and one CA no configuration trusts. Every CA
 * issues the same kinds of client certificate, so a request names a CA and a kind.
 */
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CA_EXT, Pki, utc } from "../pki/openssl";

export const CA_NAMES = ["alpha", "beta", "gamma"] as const;
export type CaName = (typeof CA_NAMES)[number];
/** the CA configurations never upload */
export const OTHER_CA = "other" as const;
/** a request's `ca` when it presents a certificate the managed CA issued (./managed) */
export const MANAGED_CA = "managed" as const;

export const CERT_KINDS = ["john", "jane", "expired", "not_yet_valid", "revoked", "sha1"] as const;
export type CertKind = (typeof CERT_KINDS)[number];

export interface Leaf {
  /** the leaf alone (PEM file) */
  cert: string;
  /** leaf followed by its intermediate (PEM file) */
  withIntermediate: string;
  key: string;
  /** the leaf alone / leaf + intermediate as PEM text (the tester's input) */
  pem: string;
  chainPem: string;
}

export interface MatrixCa {
  rootPem: string;
  intermediatePem: string;
  /** the intermediate's CRL (revokes the `revoked` leaf) */
  crlPem: string;
  leaves: Record<CertKind, Leaf>;
  /** a John Doe leaf only the identity cases present: the one a configuration blocks (Blocked certificates) */
  stolen: Leaf;
}

export interface MatrixPki {
  dir: string;
  cas: Record<CaName | typeof OTHER_CA, MatrixCa>;
}

const INT_EXT = ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always,issuer", "basicConstraints=critical,CA:true", "keyUsage=critical,cRLSign,keyCertSign"];

export function generateMatrixPki(): MatrixPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-diff-pki-"));
  const p = new Pki(dir);
  const make = (name: string): MatrixCa => {
    // EC keys are quick to make on a busy machine; the intermediate is RSA so that the SHA-1 leaf is signed
    // sha1WithRSAEncryption like the seed's, and the chains mix key types as real deployments do.
    const root = p.root(`${name}-root`, { alg: "ec", subj: `/O=Differential/CN=${name} Root CA`, ext: CA_EXT.map((l) => l.replace("keyid:always", "keyid")) });
    const int = p.issue(`${name}-int`, root, { subj: `/O=Differential/CN=${name} Intermediate CA`, ext: INT_EXT });
    const issue = (kind: CertKind | "stolen") => {
      const subj = kind === "jane" ? "/CN=Jane Roe" : "/CN=John Doe";
      const o =
        kind === "expired" ? { start: utc(-30), end: utc(-1) } :
        kind === "not_yet_valid" ? { start: utc(2), end: utc(30) } :
        kind === "sha1" ? { md: "sha1" } : {};
      const c = p.issue(`${name}-${kind}`, int, { subj, alg: "ec", ...o });
      const withIntermediate = p.cat(`${name}-${kind}-chain.pem`, [c.cert, int.cert]);
      return { cert: c.cert, key: c.key, withIntermediate, pem: readFileSync(c.cert, "utf8"), chainPem: readFileSync(withIntermediate, "utf8") };
    };
    const leaves = Object.fromEntries(CERT_KINDS.map((k) => [k, issue(k)])) as Record<CertKind, Leaf>;
    p.revoke(int, leaves.revoked.cert);
    const crl = p.crl(int, `${name}-int`);
    return { rootPem: readFileSync(root.cert, "utf8"), intermediatePem: readFileSync(int.cert, "utf8"), crlPem: readFileSync(crl, "utf8"), leaves, stolen: issue("stolen") };
  };
  return { dir, cas: { alpha: make("alpha"), beta: make("beta"), gamma: make("gamma"), other: make("other") } };
}
