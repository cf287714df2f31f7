/**
 * The managed CA's certificates the differential matrix presents (./managed): each key and CSR made by the openssl
 * CLI, issued by `issueClientCertificate` (what the zone API's POST and the console call), then revoked or revoked
 * and reactivated through the same functions as DELETE and PATCH, so each door sees the CRL those re-signed. The
 * expired one cannot come from the API (its validity starts now): it is signed with the managed CA's own key, as
 * one issued a year ago would have been.
 */
import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import * as x509 from "@peculiar/x509";
import { getDb } from "@/lib/db/client";
import { issueClientCertificate, reactivateClientCertificate, revokeClientCertificate } from "@/lib/domain/client-certificates";
import { currentIssuer, ensureManagedCa } from "@/lib/domain/managed-ca";
import { randomSerial, signingAlgorithm, signingKeyFor, type CaKeyType } from "@/lib/domain/managed-ca/keys";
import { adminActor } from "../helpers/actors";
import { MANAGED_KINDS, managedCommonName, type ManagedKind } from "./managed";
import type { Leaf } from "./pki";

// PostgreSQL requires the key the managed CA's private key is sealed with; PGlite would generate one.
process.env.PORTCULLIS_SECRET_KEY ??= Buffer.alloc(32, 7).toString("base64");

export interface ManagedLeaves {
  caId: string;
  leaves: Record<ManagedKind, Leaf>;
}

const DAY = 86_400_000;

const must = <T>(what: string, r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
  if (!r.ok) throw new Error(`${what}: ${r.error.message}`);
  return r.value;
};

/** One year old, expired yesterday: signed by the current managed CA with its key. */
async function signExpired(csrPem: string): Promise<string> {
  const ca = (await currentIssuer(await getDb()))!;
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: csr.subjectName,
    issuer: new x509.X509Certificate(ca.certificatePem).subjectName,
    notBefore: new Date(now - 366 * DAY),
    notAfter: new Date(now - DAY),
    publicKey: csr.publicKey,
    signingKey: await signingKeyFor(ca.id, ca.sealedKey, ca.keyType as CaKeyType),
    signingAlgorithm: signingAlgorithm(ca.keyType as CaKeyType),
    extensions: [new x509.BasicConstraintsExtension(false, undefined, true), new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
  return cert.toString("pem");
}

export async function issueManagedLeaves(dir: string): Promise<ManagedLeaves> {
  const db = await getDb();
  const ca = await ensureManagedCa(db);
  const leaves = {} as Record<ManagedKind, Leaf>;
  for (const kind of MANAGED_KINDS) {
    const [key, csrFile, cert] = ["key", "csr", "pem"].map((ext) => path.join(dir, `managed-${kind}.${ext}`));
    execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-out", csrFile, "-subj", `/CN=${managedCommonName(kind)}`], { stdio: "ignore" });
    const csrPem = readFileSync(csrFile, "utf8");
    let pem: string;
    if (kind === "expired") pem = await signExpired(csrPem);
    else {
      const issued = must(`issue ${kind}`, await issueClientCertificate(db, adminActor, { csrPem, validityDays: 30, label: `differential ${kind}` }));
      if (kind === "revoked" || kind === "reactivated") must(`revoke ${kind}`, await revokeClientCertificate(db, adminActor, issued.id, "differential"));
      if (kind === "reactivated") must("reactivate", await reactivateClientCertificate(db, adminActor, issued.id));
      pem = issued.certificatePem;
    }
    writeFileSync(cert, pem);
    leaves[kind] = { cert, withIntermediate: cert, key, pem, chainPem: pem };
  }
  return { caId: ca.id, leaves };
}
