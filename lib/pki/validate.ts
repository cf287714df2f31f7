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
import { checkNameConstraints } from "./nameconstraints";
import { EKU, KU, SUPPORTED_CRITICAL_EXTENSIONS } from "./oids";
import { buildPath, createTrustStore, parseCertificates, type PkiInput, type TrustStore } from "./path";
import { checkRevocation } from "./revocation";
import type { CertificateSummary } from "./types";
import { verifyError, type VerifyError, type VerifyErrorCode } from "./verify-errors";
import type { ParsedCertificate } from "./x509";

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

export type Op =
  | { kind: "error"; error: VerifyError }
  | { kind: "step"; step: ValidationStep }
  | { kind: "certTime"; depth: number; label: string; notBefore: number; notAfter: number; from: string; to: string }
  | { kind: "crlTime"; depth: number; label: string; thisUpdate: number; nextUpdate: number | null; next: string; issued: string };

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
    for (let i = 0; i < n; i++) {
      const issuer = i + 1 < n ? path[i + 1] : (await isSelfSigned(path[i])) ? path[i] : null;
      if (!issuer) continue;
      const r = await checkRevocation(path[i], issuer, store);
      for (const e of r.errors) {
        const detail = e.code === "unable_to_get_crl" ? `No CRL from ${certLabel(issuer, issuer === path[i] ? i : i + 1)} was supplied for ${L(i)}.` : `${L(i)}: ${e.detail}.`;
        fail(e.code, i, detail);
      }
      step(`revocation:${i}`, `${L(i)}: revocation (CRL)`, r.errors.length === 0, r.errors.length ? r.errors.map((e) => e.code).join(", ") : `Not listed in the CRL of ${issuer.subject.text}.`);
      if (r.window) {
        const { thisUpdate, nextUpdate } = r.window;
        const next = nextUpdate === null ? "no nextUpdate" : `next update ${new Date(nextUpdate).toISOString()}`;
        ops.push({ kind: "crlTime", depth: i, label: L(i), thisUpdate, nextUpdate, next, issued: new Date(thisUpdate).toISOString() });
      }
    }
  }

  // 3. Signatures, issuer key usage and validity, from the anchor down (OpenSSL internal_verify).
  for (let i = n - 1; i >= 0; i--) {
    const c = path[i];
    const issuer = i + 1 < n ? path[i + 1] : null;
    if (issuer) {
      const sig = await checkSignedBy(c, issuer);
      step(`signature:${i}`, `${L(i)}: signature by ${certLabel(issuer, i + 1)}`, sig === "valid", sig === "valid" ? "Signature verifies." : sig === "unsupported" ? "Signature algorithm or key not supported." : "Signature does not verify.");
      if (sig !== "valid") fail("certificate_signature_failure", i, `The signature of ${L(i)} does not verify with the key of ${certLabel(issuer, i + 1)}.`);
      if (issuer.keyUsage !== null && !(issuer.keyUsage & KU.keyCertSign))
        fail("key_usage_no_certsign", i + 1, `${certLabel(issuer, i + 1)} has Key Usage without keyCertSign.`);
    }
    const [from, to] = [c.notBefore.toISOString(), c.notAfter.toISOString()];
    ops.push({ kind: "certTime", depth: i, label: L(i), notBefore: c.notBefore.getTime(), notAfter: c.notAfter.getTime(), from, to });
  }

  // 4. Name constraints of every CA apply to the certificates below it.
  let ncSeen = false;
  for (let j = n - 1; j > 0; j--) {
    const nc = path[j].nameConstraints;
    if (!nc) continue;
    ncSeen = true;
    for (let i = j - 1; i >= 0; i--) {
      if (i > 0 && path[i].selfIssued) continue;
      const v = checkNameConstraints(path[i], nc, i === 0);
      step(`names:${j}:${i}`, `${L(i)}: name constraints of ${L(j)}`, v === null, v ? `${v.name} violates a ${v.code === "permitted_violation" ? "permitted" : "excluded"} subtree.` : "All names are within the constraints.");
      if (v) fail(v.code, i, `${L(i)}: ${v.name} is ${v.code === "permitted_violation" ? "outside the permitted" : "inside an excluded"} subtree of ${L(j)}.`);
    }
  }
  if (!ncSeen) step("names", "Name constraints", true, "No CA in the path has name constraints.");

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

/** Evaluate the time-dependent checks of a core at `at` (validity inclusive at both ends). */
export function finalize(core: Core, at: Date): ValidationResult {
  const t = at.getTime();
  let atIso: string | null = null;
  const errors: VerifyError[] = [];
  const steps: ValidationStep[] = [];
  for (const op of core.ops) {
    if (op.kind === "error") errors.push(op.error);
    else if (op.kind === "step") steps.push(op.step);
    else if (op.kind === "certTime") {
      const { from, to } = op;
      atIso ??= at.toISOString();
      const early = t < op.notBefore;
      const late = t > op.notAfter;
      steps.push({ id: `validity:${op.depth}`, label: `${op.label}: validity period`, ok: !early && !late, detail: `Valid from ${from} to ${to}; checked at ${atIso}.` });
      if (early) errors.push(verifyError("certificate_not_yet_valid", op.depth, `${op.label} is not valid before ${from}.`));
      if (late) errors.push(verifyError("certificate_has_expired", op.depth, `${op.label} expired on ${to}.`));
    } else {
      const early = t < op.thisUpdate;
      const late = op.nextUpdate !== null && t > op.nextUpdate;
      const { next } = op;
      steps.push({ id: `crl-time:${op.depth}`, label: `${op.label}: CRL freshness`, ok: !early && !late, detail: `CRL issued ${op.issued}, ${next}.` });
      if (early) errors.push(verifyError("crl_not_yet_valid", op.depth, `The CRL used for ${op.label} is not valid yet.`));
      if (late) errors.push(verifyError("crl_has_expired", op.depth, `The CRL used for ${op.label} has expired (${next}).`));
    }
  }
  return { ok: errors.length === 0, errors, path: core.path, steps, leaf: core.leaf };
}

type TimeOp = Extract<Op, { kind: "certTime" | "crlTime" }>;
interface Split {
  /** the errors that do not depend on the time, in `ops` order */
  fixed: readonly VerifyError[];
  times: TimeOp[];
}
const splits = new WeakMap<Core, Split>();

function splitOf(core: Core): Split {
  let s = splits.get(core);
  if (!s) {
    const fixed: VerifyError[] = [];
    const times: TimeOp[] = [];
    for (const op of core.ops) {
      if (op.kind === "error") fixed.push(op.error);
      else if (op.kind !== "step") times.push(op);
    }
    s = { fixed: Object.freeze(fixed), times };
    splits.set(core, s);
  }
  return s;
}

/**
 * The errors of `finalize(core, at)` (same errors, same order) without building the steps. When every time check
 * passes at `at` — the usual case — the result is the core's frozen array of time-independent errors, the same array
 * on every call (callers may cache what they derive from it by identity).
 */
export function errorsAt(core: Core, at: Date): readonly VerifyError[] {
  const s = splitOf(core);
  const t = at.getTime();
  for (const op of s.times) {
    const inside = op.kind === "certTime" ? t >= op.notBefore && t <= op.notAfter : t >= op.thisUpdate && (op.nextUpdate === null || t <= op.nextUpdate);
    if (!inside) return finalize(core, at).errors;
  }
  return s.fixed;
}

export interface ValidateClientCertificateParams extends ValidateOptions {
  /** PEM/DER: the client certificate, optionally followed by the intermediates the client sent. */
  leaf: PkiInput;
  /** CA certificates (PEM chains) associated with the hostname. */
  trustAnchors: PkiInput[];
  crls?: PkiInput[];
}

/** One-shot validation. For many decisions against the same CAs use `createValidator`. */
export async function validateClientCertificate(p: ValidateClientCertificateParams): Promise<ValidationResult> {
  const store = createTrustStore(p.trustAnchors, p.crls ?? []);
  const core = await computeCore(p.leaf, p.untrusted ?? [], store, p.purpose ?? "client");
  return finalize(core, p.at ?? new Date());
}
