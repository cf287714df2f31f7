/**
 * Revocation as a plan: which CAs of a hostname's trust store have their certificates checked against a stored CRL,
 * and which serials that CRL revokes. It is the rule of ./certificate (a CA without a stored CRL is not checked for
 * revocation: its NO_STORED_CRL error is dropped) written out as data, computed the way lib/pki picks the CRL for a
 * certificate when the gateway validates a chain (by issuer name and key identifier, in scope, the best-ranked one),
 * so a proxy configuration rendered from it (the nginx export) checks exactly the CAs the gateway checks.
 */
import { bytesEqual } from "../pki/der";
import type { ParsedCrl } from "../pki/crl";
import { commonName } from "../pki/names";
import { createTrustStore, type TrustStore } from "../pki/path";
import { checkCrlSignature } from "../pki/revocation";
import type { ParsedCertificate } from "../pki/x509";

export interface RevocationCa {
  /** the CA certificate of the trust store (RFC 4514 subject, and its Common Name) */
  subject: string;
  subjectCN: string | null;
  /**
   * Whether the end-entity certificates this CA issues are checked for revocation: a stored CRL from it exists (the
   * gateway drops NO_STORED_CRL otherwise). The CRL is the one lib/pki would choose for such a certificate.
   */
  checked: boolean;
  /** the serial numbers that CRL revokes (colon hex as lib/pki prints them; removeFromCRL entries left out) */
  revokedSerials: string[];
  /** that CRL's next update (ISO 8601), null when it has none or the CA is not checked */
  nextUpdate: string | null;
  /** a stored CRL from this CA exists for some scope (end-entity or CA certificates) */
  hasCrl: boolean;
}

export interface RevocationPlan {
  cas: RevocationCa[];
  /**
   * Every CA of the trust store has a stored CRL. Only then does a verifier that requires a CRL for every certificate
   * of the chain (OpenSSL's CRL_CHECK_ALL, nginx's `ssl_crl`) refuse no more than the gateway, as long as the client
   * sends no intermediate CA that the trust store does not hold.
   */
  everyCaHasCrl: boolean;
  /** at least one CA is checked */
  any: boolean;
}

/** lib/pki's candidate rule (./revocation `checkRevocation`): issued by `ca` by name, its key identifier agreeing. */
function fromCa(crl: ParsedCrl, ca: ParsedCertificate): boolean {
  return !(crl.authorityKeyId && ca.subjectKeyId && !bytesEqual(crl.authorityKeyId, ca.subjectKeyId));
}

/** A CRL whose issuing distribution point lets it speak for end-entity certificates (lib/pki `inScope`). */
const forEndEntities = (crl: ParsedCrl) => !crl.scope || (!crl.scope.onlyCA && !crl.scope.unsupported);

/** The CRL lib/pki uses among `cands`: correctly signed first, no unhandled critical extension, newest. */
async function best(cands: ParsedCrl[], ca: ParsedCertificate): Promise<ParsedCrl | null> {
  if (!cands.length) return null;
  const sigs = await Promise.all(cands.map((c) => checkCrlSignature(c, ca)));
  return cands
    .map((crl, i) => ({ crl, valid: sigs[i] === "valid" }))
    .sort(
      (a, b) =>
        Number(b.valid) - Number(a.valid) ||
        Number(a.crl.unhandledCritical.length > 0) - Number(b.crl.unhandledCritical.length > 0) ||
        b.crl.thisUpdate.getTime() - a.crl.thisUpdate.getTime(),
    )[0].crl;
}

async function planCa(store: TrustStore, ca: ParsedCertificate): Promise<RevocationCa> {
  const all = (store.crlsByIssuer.get(ca.subject.key) ?? []).filter((crl) => fromCa(crl, ca));
  const crl = await best(all.filter(forEndEntities), ca);
  const revokedSerials = crl ? [...crl.revoked].filter(([, e]) => e.reason !== "removeFromCRL").map(([serial]) => serial) : [];
  return {
    subject: ca.subject.text,
    subjectCN: commonName(ca.subject),
    checked: crl !== null,
    revokedSerials,
    nextUpdate: crl?.nextUpdate?.toISOString() ?? null,
    hasCrl: all.length > 0,
  };
}

/** The revocation plan of a trust store: its CA certificates (PEM) and their stored CRLs (PEM), as `compileHost` takes them. */
export async function revocationPlan(cas: readonly string[], crls: readonly string[]): Promise<RevocationPlan> {
  const store = createTrustStore([...cas], [...crls]);
  const planned = await Promise.all(store.anchors.map((ca) => planCa(store, ca)));
  return { cas: planned, everyCaHasCrl: planned.length > 0 && planned.every((c) => c.hasCrl), any: planned.some((c) => c.checked) };
}
