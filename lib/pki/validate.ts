/**
 * Client-certificate path validation (RFC 5280 §6, with OpenSSL 3 `-purpose sslclient -crl_check_all`
 * semantics; see test/pki/DISAGREEMENTS.md for the deliberate differences).
 *
 * Validation is split in two: `computeCore` does everything that does not depend on the time
 * (path building, signatures, extensions, name constraints, CRL lookup) and records the time
 * checks as ops; `finalize` evaluates those at `at`. `createValidator` memoises the core.
 */
import { certLabel, describeCertificate } from "./describe";
import { checkSignedBy, fingerprints, isSelfSigned } from "./links";
import { checkNameConstraints, type NcViolation } from "./nameconstraints";
import { keyIdentifierProblems, structureProblems } from "./structure";
import { EKU, KU, SUPPORTED_CRITICAL_EXTENSIONS } from "./oids";
import { buildPath, createTrustStore, parseCertificates, type PkiInput, type TrustStore } from "./path";
import { checkRevocation } from "./revocation";
import type { CertificateSummary } from "./types";
import { verifyError, type VerifyError, type VerifyErrorCode } from "./verify-errors";
import type { ParsedCertificate } from "./x509";
import { errorsAt, finalize } from "./finalize";

export { errorsAt, finalize };

export type Purpose = "client" | "any";

export interface ValidationStep {
  id: string;
  label: string;
  ok: boolean;
  detail: string;
}

export interface LeafInfo {
  subject: string;
  subjectCN: string | null;
  issuer: string;
  serialNumber: string;
  sha256Fingerprint: string;
  notBefore: string;
  notAfter: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: VerifyError[];
  /** Leaf first, trust anchor last (partial when building failed). */
  path: CertificateSummary[];
  steps: ValidationStep[];
  leaf: LeafInfo | null;
}

export interface ValidateOptions {
  at?: Date;
  untrusted?: PkiInput[];
  purpose?: Purpose;
}

/** Options of the time-independent part of validation. */
export interface CoreOptions {
  /** Like `openssl verify -x509_strict`: missing Authority/Subject Key Identifiers (RFC 5280 §4.2.1.1-2) are errors. */
  strict?: boolean;
}

export type Op =
  | { kind: "error"; error: VerifyError }
  | { kind: "step"; step: ValidationStep }
  | { kind: "certTime"; depth: number; label: string; notBefore: number; notAfter: number; from: string; to: string }
  | { kind: "crlTime"; depth: number; label: string; thisUpdate: number; nextUpdate: number | null; next: string; issued: string }
  | { kind: "signerTime"; depth: number; label: string; subject: string; notBefore: number; notAfter: number };

export interface Core {
  ops: Op[];
  path: CertificateSummary[];
  leaf: LeafInfo | null;
}

const hasClientEku = (c: ParsedCertificate) =>
  c.extKeyUsage === null || c.extKeyUsage.includes(EKU.clientAuth) || c.extKeyUsage.includes(EKU.any);

export async function computeCore(
  leafInput: PkiInput,
  untrustedInputs: PkiInput[],
  store: TrustStore,
  purpose: Purpose,
  options: CoreOptions = {},
): Promise<Core> {
  const ops: Op[] = [];
  const step = (id: string, label: string, ok: boolean, detail: string) => ops.push({ kind: "step", step: { id, label, ok, detail } });
  const fail = (code: VerifyErrorCode, depth: number, detail: string) => ops.push({ kind: "error", error: verifyError(code, depth, detail) });

  const leafParsed = parseCertificates([leafInput]);
  const extra = parseCertificates(untrustedInputs);
  const [leaf, ...clientIntermediates] = leafParsed.certs;
  if (!leaf) {
    const why = leafParsed.errors[0] ?? "no certificate found";
    step("parse", "Read the client certificate", false, why);
    fail("unspecified", 0, `The client certificate could not be read: ${why}`);
    return { ops, path: [], leaf: null };
  }
  step("parse", "Read the client certificate", true, `${certLabel(leaf, 0)}; ${clientIntermediates.length + extra.certs.length} intermediate(s) supplied.`);

  const built = await buildPath(leaf, [...clientIntermediates, ...extra.certs], store);
  const path = built.path;
  const n = path.length;
  const L = (i: number) => certLabel(path[i], i);
  step(
    "build",
    "Build the chain to a trusted CA",
    built.error === null,
    built.error ? built.error.detail : `Path: ${path.map((_, i) => L(i)).join(" → ")}.`,
  );
  if (built.error) ops.push({ kind: "error", error: built.error });

  // 1. Extensions, CA flags, purpose, path length (OpenSSL check_extensions order).
  let plen = 0;
  for (let i = 0; i < n; i++) {
    const c = path[i];
    const unknown = c.extensions.filter((e) => e.critical && !SUPPORTED_CRITICAL_EXTENSIONS.has(e.oid)).map((e) => e.oid);
    step(`critical:${i}`, `${L(i)}: critical extensions`, unknown.length === 0, unknown.length ? `Unhandled critical extension(s): ${unknown.join(", ")}.` : "All critical extensions are understood.");
    if (unknown.length) fail("unhandled_critical_extension", i, `${L(i)} has unhandled critical extension(s) ${unknown.join(", ")}.`);
    // A trust anchor is an input to path validation (§6.1.1 (d)), not a certificate it checks: public roots with
    // serial 0 stay usable. Strict (like -x509_strict) still wants its key identifier.
    const anchor = i === n - 1 && built.complete;
    const structure = [...(anchor ? [] : structureProblems(c, L(i))), ...(options.strict ? keyIdentifierProblems(c, L(i), i === n - 1) : [])];
    step(`structure:${i}`, `${L(i)}: structure (RFC 5280)`, structure.length === 0, structure.length ? structure.map((p) => p.detail).join(" ") : options.strict ? "Serial, extensions and key identifiers are well-formed." : "Serial and extensions are well-formed.");
    for (const p of structure) fail(p.code, i, p.detail);
    if (i > 0) {
      const bc = c.basicConstraints;
      const v1Root = c.version === 1 && (await isSelfSigned(c));
      const kuOk = c.keyUsage === null || (c.keyUsage & KU.keyCertSign) !== 0;
      const caOk = (bc?.ca === true || (bc === null && v1Root)) && kuOk;
      step(
        `ca:${i}`,
        `${L(i)}: may act as a CA`,
        caOk,
        bc === null ? (v1Root ? "Version 1 self-signed root (accepted as a CA)." : "No Basic Constraints extension.") : `Basic Constraints CA:${bc.ca ? "TRUE" : "FALSE"}${bc.pathLength !== null ? `, pathlen:${bc.pathLength}` : ""}${kuOk ? "" : "; Key Usage lacks keyCertSign"}.`,
      );
      if (!caOk) fail("invalid_ca", i, `${L(i)} is not a valid CA certificate (${bc === null ? "no Basic Constraints" : !bc.ca ? "CA:FALSE" : "Key Usage without keyCertSign"}).`);
    }
    if (purpose === "client") {
      let ok = hasClientEku(c);
      let why = c.extKeyUsage === null ? "No Extended Key Usage (any purpose)." : ok ? "Extended Key Usage allows clientAuth." : "Extended Key Usage does not include clientAuth.";
      if (ok && i === 0 && c.keyUsage !== null && !(c.keyUsage & (KU.digitalSignature | KU.keyAgreement))) {
        ok = false;
        why = "Key Usage has neither digitalSignature nor keyAgreement, so it cannot authenticate a TLS client.";
      }
      step(`purpose:${i}`, `${L(i)}: usable for TLS client authentication`, ok, why);
      if (!ok) fail("invalid_purpose", i, `${L(i)}: ${why}`);
    }
    if (i > 1) {
      const pl = c.basicConstraints?.pathLength;
      if (pl !== null && pl !== undefined) {
        const ok = plen <= pl;
        step(`pathlen:${i}`, `${L(i)}: path length constraint`, ok, `pathlen:${pl}, ${plen} intermediate CA(s) below it.`);
        if (!ok) fail("path_length_exceeded", i, `${L(i)} allows ${pl} intermediate CA(s) below it, but the path has ${plen}.`);
      }
    }
    if (i > 0 && !c.selfIssued) plen++;
  }

  // 2. Revocation (all certificates, like -crl_check_all) when CRLs were supplied.
  if (store.crlCheck) {
    const revocationContext = { pool: [...clientIntermediates, ...extra.certs], anchor: built.complete ? path[n - 1] : null };
    for (let i = 0; i < n; i++) {
      const issuer = i + 1 < n ? path[i + 1] : (await isSelfSigned(path[i])) ? path[i] : null;
      if (!issuer) continue;
      const r = await checkRevocation(path[i], issuer, store, revocationContext);
      for (const e of r.errors) {
        const detail = e.code === "unable_to_get_crl" && !e.detail ? `No CRL from ${certLabel(issuer, issuer === path[i] ? i : i + 1)} was supplied for ${L(i)}.` : `${L(i)}: ${e.detail}.`;
        fail(e.code, i, detail);
      }
      step(`revocation:${i}`, `${L(i)}: revocation (CRL)`, r.errors.length === 0, r.errors.length ? r.errors.map((e) => e.code).join(", ") : `Not listed in the CRL of ${issuer.subject.text}.`);
      for (const { thisUpdate, nextUpdate } of r.windows) {
        const next = nextUpdate === null ? "no nextUpdate" : `next update ${new Date(nextUpdate).toISOString()}`;
        ops.push({ kind: "crlTime", depth: i, label: L(i), thisUpdate, nextUpdate, next, issued: new Date(thisUpdate).toISOString() });
      }
      for (const p of r.signerPeriods) ops.push({ kind: "signerTime", depth: i, label: L(i), ...p });
    }
  }

  // 3. Signatures, issuer key usage and validity, from the anchor down (OpenSSL internal_verify).
  let signaturesOk = true;
  for (let i = n - 1; i >= 0; i--) {
    const c = path[i];
    const issuer = i + 1 < n ? path[i + 1] : null;
    if (issuer) {
      const sig = await checkSignedBy(c, issuer);
      step(`signature:${i}`, `${L(i)}: signature by ${certLabel(issuer, i + 1)}`, sig === "valid", sig === "valid" ? "Signature verifies." : sig === "unsupported" ? "Signature algorithm or key not supported." : "Signature does not verify.");
      if (sig !== "valid") signaturesOk = false;
      if (sig !== "valid") fail("certificate_signature_failure", i, `The signature of ${L(i)} does not verify with the key of ${certLabel(issuer, i + 1)}.`);
      if (issuer.keyUsage !== null && !(issuer.keyUsage & KU.keyCertSign))
        fail("key_usage_no_certsign", i + 1, `${certLabel(issuer, i + 1)} has Key Usage without keyCertSign.`);
    }
    const [from, to] = [c.notBefore.toISOString(), c.notAfter.toISOString()];
    ops.push({ kind: "certTime", depth: i, label: L(i), notBefore: c.notBefore.getTime(), notAfter: c.notAfter.getTime(), from, to });
  }

  // 4. Name constraints of every CA apply to the certificates below it — only on a path whose signatures all verify,
  // so a forged intermediate cannot make us spend the name-constraint work limit (OpenSSL checks them last, too).
  let ncSeen = false;
  for (let j = signaturesOk ? n - 1 : 0; j > 0; j--) {
    const nc = path[j].nameConstraints;
    if (!nc) continue;
    ncSeen = true;
    for (let i = j - 1; i >= 0; i--) {
      if (i > 0 && path[i].selfIssued) continue;
      const v = checkNameConstraints(path[i], nc, i === 0);
      const why = v ? ncDetail(v) : "All names are within the constraints.";
      step(`names:${j}:${i}`, `${L(i)}: name constraints of ${L(j)}`, v === null, why);
      if (v) fail(v.code, i, `${L(i)}: ${why} (name constraints of ${L(j)})`);
    }
  }
  if (!signaturesOk) step("names", "Name constraints", false, "Not checked: a signature on the path does not verify.");
  else if (!ncSeen) step("names", "Name constraints", true, "No CA in the path has name constraints.");

  const summaries = await Promise.all(path.map((c, i) => describeCertificate(c, i)));
  const fp = await fingerprints(leaf);
  return {
    ops,
    path: summaries,
    leaf: {
      subject: leaf.subject.text,
      subjectCN: summaries[0].subjectCN,
      issuer: leaf.issuer.text,
      serialNumber: leaf.serialHex,
      sha256Fingerprint: fp.sha256,
      notBefore: leaf.notBefore.toISOString(),
      notAfter: leaf.notAfter.toISOString(),
    },
  };
}

function ncDetail(v: NcViolation): string {
  if (v.code === "permitted_violation") return `${v.name} is outside the permitted subtrees.`;
  if (v.code === "excluded_violation") return `${v.name} is inside an excluded subtree.`;
  if (v.code === "unsupported_constraint_type") return `${v.name} cannot be checked against name constraints of its type, so it is refused (as OpenSSL does).`;
  return `Name-constraint checking refused: ${v.name}, over the work limit.`;
}

export interface ValidateClientCertificateParams extends ValidateOptions {
  /** PEM/DER: the client certificate, optionally followed by the intermediates the client sent. */
  leaf: PkiInput;
  /** CA certificates (PEM chains) associated with the hostname. */
  trustAnchors: PkiInput[];
  crls?: PkiInput[];
  /** Like `openssl verify -x509_strict` (see CoreOptions). */
  strict?: boolean;
}

/** One-shot validation. For many decisions against the same CAs use `createValidator`. */
export async function validateClientCertificate(p: ValidateClientCertificateParams): Promise<ValidationResult> {
  const store = createTrustStore(p.trustAnchors, p.crls ?? []);
  const core = await computeCore(p.leaf, p.untrusted ?? [], store, p.purpose ?? "client", { strict: p.strict });
  return finalize(core, p.at ?? new Date());
}
