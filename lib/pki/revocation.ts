/**
 * CRL selection and checks for one certificate of a validated path (RFC 5280 §6.3): only CRLs whose scope covers the
 * certificate (./distribution-points), signed by the certificate's issuer or — a CRL signed by another key of the
 * same CA, or an indirect CRL — by a CRL issuer whose own path is validated to the same trust anchor (§6.3.3 (f)),
 * until every reason is covered.
 */
import { revokedEntry, type ParsedCrl } from "./crl";
import { bytesEqual } from "./der";
import { ALL_REASONS, crlScopeOf, reasonNames } from "./distribution-points";
import { checkSignedBy } from "./links";
import { KU } from "./oids";
import { buildPath, type TrustStore } from "./path";
import { verifySignature, type SignatureCheck } from "./signature";
import type { VerifyErrorCode } from "./verify-errors";
import type { ParsedCertificate } from "./x509";

const crlSigCache = new WeakMap<ParsedCrl, Map<Uint8Array, Promise<SignatureCheck>>>();

export function checkCrlSignature(crl: ParsedCrl, issuer: ParsedCertificate): Promise<SignatureCheck> {
  let m = crlSigCache.get(crl);
  if (!m) {
    m = new Map();
    crlSigCache.set(crl, m);
  }
  let p = m.get(issuer.publicKey.spki);
  if (!p) {
    p =
      crl.signatureOid !== crl.tbsSignatureOid
        ? Promise.resolve("invalid" as const)
        : verifySignature(crl.tbs, crl.signature, crl.signatureOid, crl.signatureParams, issuer.publicKey);
    m.set(issuer.publicKey.spki, p);
  }
  return p;
}

type Window = { thisUpdate: number; nextUpdate: number | null };

export interface RevocationOutcome {
  crl: ParsedCrl | null;
  /** Time-independent problems, in OpenSSL's order. */
  errors: { code: VerifyErrorCode; detail: string }[];
  /** The CRL's validity window (checked against `at` later). */
  window: Window | null;
  /** Every CRL used (more than one when CRLs are partitioned by reason). */
  windows: Window[];
  /** Validity periods of the certificates of a separate CRL issuer's path (checked against `at` later). */
  signerPeriods: { subject: string; notBefore: number; notAfter: number }[];
  revokedOn: string | null;
}

export interface RevocationContext {
  /** Certificates a CRL issuer's path may be built from (the intermediates the client sent, --untrusted). */
  pool: ParsedCertificate[];
  /** Trust anchor of the certificate's path: a separate CRL issuer's path must end there too (§6.3.3 (f)). */
  anchor: ParsedCertificate | null;
  /** Set while checking a CRL issuer's own path: its CRLs must then be signed by the issuer directly. */
  nested?: boolean;
}

const akiAgrees = (crl: ParsedCrl, c: ParsedCertificate) => !(crl.authorityKeyId && c.subjectKeyId && !bytesEqual(crl.authorityKeyId, c.subjectKeyId));

type Signer =
  | { ok: true; signer: ParsedCertificate; periods: RevocationOutcome["signerPeriods"] }
  | { ok: false; code: VerifyErrorCode; detail: string };

/** Validate a CRL issuer other than the certificate's issuer: its path to the same anchor, signatures, CA flags, revocation. */
async function validateSigner(signer: ParsedCertificate, store: TrustStore, ctx: RevocationContext): Promise<Signer> {
  const fail = (detail: string): Signer => ({ ok: false, code: "crl_path_validation_error", detail });
  const built = await buildPath(signer, ctx.pool, store);
  const top = built.path[built.path.length - 1];
  if (built.error || !built.complete) return fail(`the path of the CRL issuer ${signer.subject.text} does not validate (${built.error?.message ?? "incomplete"})`);
  if (ctx.anchor && !bytesEqual(top.der, ctx.anchor.der)) return fail(`the CRL issuer ${signer.subject.text} chains to a different trust anchor (${top.subject.text})`);
  for (let j = 0; j + 1 < built.path.length; j++) {
    const up = built.path[j + 1];
    if ((await checkSignedBy(built.path[j], up)) !== "valid") return fail(`the signature of ${built.path[j].subject.text} on the CRL issuer's path does not verify`);
    if (up.basicConstraints?.ca !== true && !(up === top && up.version === 1)) return fail(`${up.subject.text} on the CRL issuer's path is not a CA`);
    const r = await checkRevocation(built.path[j], up, store, { ...ctx, nested: true });
    if (r.errors.length) return fail(`${built.path[j].subject.text} on the CRL issuer's path: ${r.errors.map((e) => e.detail || e.code).join("; ")}`);
  }
  return { ok: true, signer, periods: built.path.map((c) => ({ subject: c.subject.text, notBefore: c.notBefore.getTime(), notAfter: c.notAfter.getTime() })) };
}

/** Who signed `crl`: the certificate's issuer when its key verifies it, else a validated certificate of the CRL's issuer. */
async function signerOf(crl: ParsedCrl, issuer: ParsedCertificate, store: TrustStore, ctx: RevocationContext | undefined): Promise<Signer> {
  const sameCa = crl.issuer.key === issuer.subject.key && akiAgrees(crl, issuer);
  if (sameCa && (await checkCrlSignature(crl, issuer)) === "valid") return { ok: true, signer: issuer, periods: [] };
  let last: Signer | null = null;
  if (ctx && !ctx.nested) {
    const seen = new Set<ParsedCertificate>([issuer]);
    const others = [...(store.bySubject.get(crl.issuer.key) ?? []), ...ctx.pool.filter((c) => c.subject.key === crl.issuer.key)];
    for (const c of others) {
      if (seen.has(c) || bytesEqual(c.der, issuer.der) || !akiAgrees(crl, c)) continue;
      seen.add(c);
      if ((await checkCrlSignature(crl, c)) !== "valid") continue;
      last = await validateSigner(c, store, ctx);
      if (last.ok) return last;
    }
  }
  if (last) return last;
  if (sameCa) return { ok: false, code: "crl_signature_failure", detail: "the CRL signature does not verify with the issuer's public key" };
  return { ok: false, code: "unable_to_get_crl", detail: `no certificate of the CRL issuer ${crl.issuer.text} with the key that signed the CRL` };
}

/** CRLs that may speak for `cert`: from its issuer, or indirect CRLs from a cRLIssuer its distribution points name. */
function candidateCrls(cert: ParsedCertificate, store: TrustStore): ParsedCrl[] {
  const out = [...(store.crlsByIssuer.get(cert.issuer.key) ?? [])];
  for (const dp of cert.crlDistributionPoints ?? [])
    for (const g of dp.crlIssuer ?? [])
      if (g.type === "dn" && g.name.key !== cert.issuer.key) for (const crl of store.crlsByIssuer.get(g.name.key) ?? []) if (!out.includes(crl)) out.push(crl);
  return out;
}

/** Check `cert` (issued by `issuer`) against the CRLs of the store that cover it. */
export async function checkRevocation(
  cert: ParsedCertificate,
  issuer: ParsedCertificate,
  store: TrustStore,
  ctx?: RevocationContext,
): Promise<RevocationOutcome> {
  const out: RevocationOutcome = { crl: null, errors: [], window: null, windows: [], signerPeriods: [], revokedOn: null };
  const all = candidateCrls(cert, store);
  const scoped = all
    .map((crl) => ({ crl, reasons: crlScopeOf(crl, cert) }))
    .filter((s) => s.reasons !== 0);
  const complete = scoped.filter((s) => !s.crl.delta);
  if (complete.length === 0) {
    out.errors.push(
      scoped.length
        ? { code: "unhandled_critical_crl_extension", detail: "only a delta CRL covers it, and delta CRLs are not supported: supply the complete CRL" }
        : all.length
          ? { code: "different_crl_scope", detail: "no CRL supplied covers it (its distribution points, or the CRLs' user/CA-only scope, do not match)" }
          : { code: "unable_to_get_crl", detail: "" },
    );
    return out;
  }
  const signed = await Promise.all(complete.map(async (s) => ({ ...s, signer: await signerOf(s.crl, issuer, store, ctx) })));
  // Correctly signed first (by the issuer's own key before another key), no unhandled critical extension, newest.
  signed.sort(
    (a, b) =>
      Number(b.signer.ok) - Number(a.signer.ok) ||
      Number(b.signer.ok && b.signer.signer === issuer) - Number(a.signer.ok && a.signer.signer === issuer) ||
      Number(a.crl.unhandledCritical.length > 0) - Number(b.crl.unhandledCritical.length > 0) ||
      b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime(),
  );
  let covered = 0;
  for (const { crl, reasons, signer } of signed) {
    if (covered !== 0 && (!signer.ok || (reasons & ~covered) === 0)) continue;
    out.crl ??= crl;
    const w = { thisUpdate: crl.thisUpdate.getTime(), nextUpdate: crl.nextUpdate?.getTime() ?? null };
    out.window ??= w;
    out.windows.push(w);
    // The Key Usage of the key that signed it; when no valid signer was found, the issuer's (OpenSSL's order).
    const by = signer.ok ? signer.signer : signer.code === "crl_signature_failure" ? issuer : null;
    if (by && by.keyUsage !== null && !(by.keyUsage & KU.cRLSign))
      out.errors.push({ code: "key_usage_no_crl_sign", detail: "the CRL issuer's Key Usage does not include cRLSign" });
    if (!signer.ok) out.errors.push({ code: signer.code, detail: signer.detail });
    else out.signerPeriods.push(...signer.periods);
    if (crl.unhandledCritical.length)
      out.errors.push({ code: "unhandled_critical_crl_extension", detail: `the CRL has unhandled critical extension(s) ${crl.unhandledCritical.join(", ")}` });
    const entry = revokedEntry(crl, cert.issuer.key, cert.serialKey);
    if (entry && entry.reason !== "removeFromCRL" && !out.revokedOn) {
      out.revokedOn = entry.revocationDate;
      out.errors.push({ code: "certificate_revoked", detail: `serial ${cert.serialHex} was revoked on ${entry.revocationDate}${entry.reason ? ` (${entry.reason})` : ""}` });
    }
    if (!signer.ok) break;
    covered |= reasons;
    if (covered === ALL_REASONS) break;
  }
  if (covered !== 0 && covered !== ALL_REASONS)
    out.errors.push({ code: "different_crl_scope", detail: `the CRLs supplied cover only the reasons ${reasonNames(covered).join(", ")}` });
  return out;
}
