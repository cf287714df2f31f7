/**
 * The gateway tests' PKI, generated with the openssl CLI: the seed's chain (root + intermediate, with the
 * intermediate's CRL) and client certificate, plus revoked / expired / wrong-CA / Jane Roe / SHA-1 / self-signed
 * cases; and the DER of a PEM certificate.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CA_EXT, ossl, Pki, utc } from "../pki/openssl";

export interface ClientCert {
  cert: string;
  key: string;
}

export interface GatewayPki {
  dir: string;
  /** a self-signed certificate with CN "John Doe" (no chain to the uploaded CAs) */
  selfSigned: ClientCert;
  /** intermediate + root, as uploaded (`cat intermediate.pem rootCA.pem > ca-chain.pem`) */
  chainPem: string;
  /** the intermediate's CRL (revokes `revoked`) */
  crlPem: string;
  /** Revokes `client` too and returns the intermediate's next CRL (PEM), which revokes both. */
  revokeClient(): string;
  /** seed walkthrough: `openssl x509 -req -in client.csr -CA intermediate.pem ...`, CN "John Doe" */
  client: ClientCert;
  janeRoe: ClientCert;
  revoked: ClientCert;
  expired: ClientCert;
  wrongCa: ClientCert;
  sha1: ClientCert;
}

export function generateGatewayPki(): GatewayPki {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-pki-"));
  const p = new Pki(dir);
  const root = p.root("rootCA", { subj: "/O=Access Testing/CN=Gateway Test Root CA" });
  const int = p.issue("intermediate", root, {
    subj: "/O=Access Testing/CN=Gateway Test Intermediate CA",
    ext: ["subjectKeyIdentifier=hash", "authorityKeyIdentifier=keyid:always,issuer", "basicConstraints=critical,CA:true", "keyUsage=critical,cRLSign,keyCertSign"],
  });
  // The seed's client: plain CSR signed with `openssl x509 -req` (no extensions).
  ossl(["genrsa", "-out", "client.key", "2048"], dir);
  ossl(["req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=John Doe"], dir);
  ossl(["x509", "-req", "-in", "client.csr", "-CA", int.cert, "-CAkey", int.key, "-CAcreateserial", "-out", "client.pem", "-days", "365", "-sha256"], dir);
  const jane = p.issue("jane", int, { subj: "/CN=Jane Roe" });
  const revoked = p.issue("revoked", int, { subj: "/CN=John Doe" });
  p.revoke(int, revoked.cert);
  const crl = p.crl(int, "intermediate");
  const expired = p.issue("expired", int, { subj: "/CN=John Doe", start: utc(-30), end: utc(-1) });
  const sha1 = p.issue("sha1", int, { subj: "/CN=John Doe", md: "sha1" });
  const other = p.root("other", { subj: "/O=Elsewhere/CN=Other Root CA", ext: CA_EXT.map((l) => l.replace("keyid:always", "keyid")) });
  const wrong = p.issue("wrong", other, { subj: "/CN=John Doe" });
  ossl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "self.key", "-out", "self.pem", "-days", "30", "-subj", "/CN=John Doe"], dir);
  const chainPem = readFileSync(int.cert, "utf8") + readFileSync(root.cert, "utf8");
  writeFileSync(path.join(dir, "ca-chain.pem"), chainPem);
  const cc = (c: { cert: string; key: string }): ClientCert => ({ cert: c.cert, key: c.key });
  return {
    dir,
    selfSigned: { cert: path.join(dir, "self.pem"), key: path.join(dir, "self.key") },
    chainPem,
    crlPem: readFileSync(crl, "utf8"),
    revokeClient() {
      p.revoke(int, path.join(dir, "client.pem"));
      return readFileSync(p.crl(int, "intermediate-next"), "utf8");
    },
    client: { cert: path.join(dir, "client.pem"), key: path.join(dir, "client.key") },
    janeRoe: cc(jane),
    revoked: cc(revoked),
    expired: cc(expired),
    wrongCa: cc(wrong),
    sha1: cc(sha1),
  };
}

/** The DER of the first certificate in a PEM text. */
export const pemDer = (pem: string): Buffer => Buffer.from(pem.split(/(?=-----BEGIN)/).find((b) => b.includes("BEGIN"))!.replace(/-----[^-]+-----|\s/g, ""), "base64");
