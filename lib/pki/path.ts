/** Trust store and certification-path building (RFC 5280 §6, OpenSSL "trusted first"). */
import { loadCrls, type ParsedCrl } from "./crl";
import { bytesEqual } from "./der";
import { certLabel } from "./describe";
import { checkSignedBy, isSelfSigned, keyIdMatch } from "./links";
import { splitInput } from "./pem";
import { keyMatchesSignatureAlgorithm } from "./signature";
import { verifyError, type VerifyError } from "./verify-errors";
import { parseCertificate, type ParsedCertificate } from "./x509";

export const MAX_PATH_DEPTH = 32;

export type PkiInput = string | Uint8Array;

export interface TrustStore {
  anchors: ParsedCertificate[];
  bySubject: Map<string, ParsedCertificate[]>;
  crls: ParsedCrl[];
  crlsByIssuer: Map<string, ParsedCrl[]>;
  /** True when the caller supplied CRLs: then every certificate in the path needs one (crl_check_all). */
  crlCheck: boolean;
  /** Problems loading anchors or CRLs (unparseable blocks...). */
  loadErrors: string[];
}

function pushTo<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Parse every certificate in the inputs; parse problems are returned as strings. */
export function parseCertificates(inputs: PkiInput[]): { certs: ParsedCertificate[]; errors: string[] } {
  const certs: ParsedCertificate[] = [];
  const errors: string[] = [];
  inputs.forEach((input, n) => {
    const split = splitInput(input);
    for (const i of split.issues) errors.push(`input #${n + 1}: ${i.message}`);
    for (const b of split.blocks) {
      try {
        certs.push(parseCertificate(b.der));
      } catch (e) {
        errors.push(`input #${n + 1}, block #${b.index + 1}: not a valid certificate (${(e as Error).message})`);
      }
    }
  });
  return { certs, errors };
}

export function createTrustStore(trustAnchors: PkiInput[], crlInputs: PkiInput[] = []): TrustStore {
  const { certs, errors } = parseCertificates(trustAnchors);
  const store: TrustStore = {
    anchors: [],
    bySubject: new Map(),
    crls: [],
    crlsByIssuer: new Map(),
    crlCheck: crlInputs.length > 0,
    loadErrors: errors,
  };
  for (const c of certs) {
    if ((store.bySubject.get(c.subject.key) ?? []).some((a) => bytesEqual(a.der, c.der))) continue;
    store.anchors.push(c);
    pushTo(store.bySubject, c.subject.key, c);
  }
  for (const input of crlInputs) {
    const { crls, errors: e } = loadCrls(input);
    store.loadErrors.push(...e);
    for (const crl of crls) {
      store.crls.push(crl);
      pushTo(store.crlsByIssuer, crl.issuer.key, crl);
    }
  }
  return store;
}

export function isTrusted(store: TrustStore, cert: ParsedCertificate): boolean {
  return (store.bySubject.get(cert.subject.key) ?? []).some((a) => a === cert || bytesEqual(a.der, cert.der));
}

export interface BuiltPath {
  path: ParsedCertificate[];
  /** Path-building failure (the chain is then partial). */
  error: VerifyError | null;
  /** The top of the path is a trusted, self-signed anchor. */
  complete: boolean;
}

/** OpenSSL's x509_likely_issued: names chain, AKI agrees with SKI, key type fits the signature. */
function likelyIssued(child: ParsedCertificate, issuer: ParsedCertificate): boolean {
  return (
    child.issuer.key === issuer.subject.key &&
    keyIdMatch(child, issuer) !== false &&
    keyMatchesSignatureAlgorithm(child.signatureOid, issuer.publicKey)
  );
}

async function pickIssuer(cur: ParsedCertificate, pool: ParsedCertificate[], inPath: Set<ParsedCertificate>) {
  const cands = pool.filter((c) => !inPath.has(c) && c !== cur && likelyIssued(cur, c));
  if (cands.length <= 1) return cands[0] ?? null;
  for (const c of cands) if ((await checkSignedBy(cur, c)) === "valid") return c;
  return cands[0];
}

export async function buildPath(
  leaf: ParsedCertificate,
  untrusted: ParsedCertificate[],
  store: TrustStore,
): Promise<BuiltPath> {
  const path = [leaf];
  const inPath = new Set<ParsedCertificate>([leaf]);
  const untrustedBySubject = new Map<string, ParsedCertificate[]>();
  for (const u of untrusted) pushTo(untrustedBySubject, u.subject.key, u);
  for (;;) {
    const cur = path[path.length - 1];
    const depth = path.length - 1;
    const trusted = isTrusted(store, cur);
    if (await isSelfSigned(cur)) {
      if (trusted) return { path, error: null, complete: true };
      const code = depth === 0 ? "self_signed_certificate" : "self_signed_certificate_in_chain";
      return {
        path,
        complete: false,
        error: verifyError(code, depth, `${certLabel(cur, depth)} is self-signed but is not one of the trusted CA certificates for this hostname.`),
      };
    }
    if (path.length > MAX_PATH_DEPTH) {
      return { path, complete: false, error: verifyError("certificate_chain_too_long", depth, `The chain is longer than ${MAX_PATH_DEPTH} certificates.`) };
    }
    const next =
      (await pickIssuer(cur, store.bySubject.get(cur.issuer.key) ?? [], inPath)) ??
      (await pickIssuer(cur, untrustedBySubject.get(cur.issuer.key) ?? [], inPath));
    if (!next) {
      const code = trusted ? "unable_to_get_issuer_certificate" : "unable_to_get_local_issuer_certificate";
      return {
        path,
        complete: false,
        error: verifyError(
          code,
          depth,
          `No certificate issued ${certLabel(cur, depth)} (issuer: ${cur.issuer.text}) among the trusted CA certificates${trusted ? "; the trusted chain does not end in a self-signed root" : " and the intermediates the client sent"}.`,
        ),
      };
    }
    path.push(next);
    inPath.add(next);
  }
}
