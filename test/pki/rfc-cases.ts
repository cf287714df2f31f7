/**
 * Expected results of the RFC 5280 corpus (./rfc-corpus) for `portcullis verify` (what the RFC says) and for
 * `openssl verify -crl_check_all` without and with `-extended_crl` (what OpenSSL 3.0 does). Results are "OK" or
 * "code@depth" (OpenSSL's first error; ours must contain it when we report the same thing). Every case where ours
 * differs from OpenSSL's default is listed in DISAGREEMENTS.md.
 */
export interface RfcCase {
  name: string;
  leaf: string;
  ca: string[];
  untrusted?: string[];
  crls?: string[];
  /** --strict / -x509_strict */
  strict?: boolean;
  ours: string;
  openssl: string;
  /** `-extended_crl` (defaults to `openssl`); only run when the case has CRLs. */
  extended?: string;
}

const r = (name: string, leaf: string, ca: string[], untrusted: string[], crls: string[], ours: string, openssl = ours, extended?: string, strict?: boolean): RfcCase =>
  ({ name, leaf, ca, untrusted, crls, ours, openssl, extended, strict });

const ROLL_CRLS = ["roll-old", "roll-new"];
const SPLIT = ["split-ca", "split-crl-signer"];

export const RFC_CASES: RfcCase[] = [
  // Self-issued certificates: key rollover, pathLenConstraint, name constraints.
  r("rollover: new-key leaf, old root trusted, new-with-old link sent", "roll-leaf-new", ["roll-old"], ["roll-new-with-old"], [], "OK"),
  r("rollover: old-key leaf, new root trusted, old-with-new link sent", "roll-leaf-old", ["roll-new"], ["roll-old-with-new"], [], "OK"),
  r("rollover: each certificate checked with the CRL of the key that signed it", "roll-leaf-new", ["roll-old"], ["roll-new-with-old"], ROLL_CRLS, "OK"),
  r("rollover: leaf revoked on the new key's CRL", "roll-leaf-new-revoked", ["roll-old"], ["roll-new-with-old"], ROLL_CRLS, "certificate_revoked@0"),
  r("rollover: old key's CRL for the new key's leaf, the old root validated as CRL issuer", "roll-leaf-new", ["roll-old"], ["roll-new-with-old"], ["roll-old"], "OK"),
  r("rollover: only the old key's CRL and no path to the old key", "roll-leaf-new", ["roll-new"], [], ["roll-old"], "unable_to_get_crl@0"),
  r("self-issued intermediate not counted against pathlen:0", "pl0-leaf", ["pl0-root"], ["pl0-self-issued"], [], "OK"),
  r("self-issued intermediate with CRLs from both keys", "pl0-leaf", ["pl0-root"], ["pl0-self-issued"], ["pl0-root", "pl0-self-issued"], "OK"),
  r("pathlen:0 exceeded by a non-self-issued CA below a self-issued one", "pl0-sub-leaf", ["pl0-root"], ["pl0-self-issued", "pl0-sub"], [], "path_length_exceeded@3"),
  r("self-issued link outside the permitted subtree is not name-constrained", "nc-si-leaf", ["nc-si-root"], ["nc-si-link"], [], "OK"),
  // CRLs signed by another key of the same CA (§6.3.3 (f)).
  r("separate CRL key: good leaf", "split-leaf", ["split-root"], SPLIT, ["split-root", "split-ca"], "OK", "unable_to_get_crl@0", "OK"),
  r("separate CRL key: revoked leaf", "split-leaf-revoked", ["split-root"], SPLIT, ["split-root", "split-ca"], "certificate_revoked@0", "unable_to_get_crl@0", "certificate_revoked@0"),
  r("separate CRL key whose certificate is revoked", "split-leaf", ["split-root"], ["split-ca", "split-crl-signer-revoked"], ["split-root", "split-ca-by-revoked-key"], "crl_path_validation_error@0", "unable_to_get_crl@0", "certificate_revoked@0"),
  r("separate CRL key certified under another root", "split-leaf", ["split-root"], ["split-ca", "split-fake-signer"], ["split-root", "split-ca-by-fake"], "crl_path_validation_error@0", "unable_to_get_crl@0", "unable_to_get_local_issuer_certificate@0"),
  // Serial numbers as encoded.
  r("serial 255 (00 FF) is not the revoked serial -1 (FF)", "serial-255", ["serial-root"], [], ["serial-root"], "OK"),
  r("serial -1 (FF) revoked", "serial-minus-1", ["serial-root"], [], ["serial-root"], "certificate_revoked@0"),
  r("serial number zero", "serial-zero", ["serial-root"], [], [], "invalid_serial_number@0", "OK"),
  r("21-octet serial number", "serial-21-octets", ["serial-root"], [], [], "invalid_serial_number@0", "OK"),
  // CRL scope.
  r("distribution point names match: revoked", "scope-leaf-a", ["scope-root"], [], ["scope-a", "scope-ca-only"], "certificate_revoked@0"),
  r("CRL for another distribution point is not used", "scope-leaf-b", ["scope-root"], [], ["scope-a", "scope-ca-only"], "different_crl_scope@0"),
  r("onlyContainsUserCerts CRL covers a leaf without distribution points", "scope-leaf", ["scope-root"], [], ["scope-user-only", "scope-ca-only"], "certificate_revoked@0"),
  r("onlyContainsUserCerts CRL does not cover the root", "scope-leaf-a", ["scope-root"], [], ["scope-a", "scope-user-only"], "certificate_revoked@0"),
  r("onlyContainsCACerts CRL does not cover a leaf", "scope-leaf", ["scope-root"], [], ["scope-ca-only"], "different_crl_scope@0"),
  r("onlySomeReasons: one partition alone is not enough", "scope-leaf", ["scope-root"], [], ["scope-key-compromise", "scope-ca-only"], "different_crl_scope@0"),
  r("onlySomeReasons: partitions covering every reason", "scope-leaf", ["scope-root"], [], ["scope-key-compromise", "scope-other-reasons", "scope-ca-only"], "OK", "different_crl_scope@0", "OK"),
  r("indirect CRL (cRLIssuer): good leaf", "ind-leaf", ["scope-root"], ["ind-crl-issuer"], ["ind", "scope-full"], "OK"),
  r("indirect CRL (cRLIssuer): revoked leaf (certificateIssuer entry)", "ind-leaf-revoked", ["scope-root"], ["ind-crl-issuer"], ["ind", "scope-full"], "certificate_revoked@0", "OK", "OK"),
  r("indirect CRL entry for another certificate issuer does not revoke", "ind-leaf-other-issuer", ["scope-root"], ["ind-crl-issuer"], ["ind", "scope-full"], "OK"),
  r("a CRL from the issuer does not cover a certificate whose CRL is indirect", "ind-leaf", ["scope-root"], ["ind-crl-issuer"], ["scope-full"], "different_crl_scope@0", "OK"),
  r("delta CRL alone: refused", "scope-leaf", ["scope-root"], [], ["scope-delta", "scope-ca-only"], "unhandled_critical_crl_extension@0", "certificate_revoked@0", "different_crl_scope@0"),
  r("unknown critical CRL extension", "scope-leaf", ["scope-root"], [], ["scope-unknown-critical", "scope-ca-only"], "unhandled_critical_crl_extension@0", "different_crl_scope@0"),
  // Bounded work and strict structure.
  r("name constraints: 1031 names × 1030 subtrees refused", "nc-explosion-leaf", ["serial-root"], ["nc-explosion-int"], [], "unspecified@0"),
  r("name constraints never checked under a forged intermediate", "nc-explosion-leaf", ["serial-root"], ["nc-explosion-int-forged"], [], "certificate_signature_failure@1"),
  r("duplicate Key Usage extension", "dup-ku", ["serial-root"], [], [], "invalid_extension@0", "unable_to_get_local_issuer_certificate@0"),
  r("empty Extended Key Usage", "empty-eku", ["serial-root"], [], [], "invalid_purpose@0"),
  r("leaf with keyCertSign", "leaf-keycertsign", ["serial-root"], [], [], "ku_key_cert_sign_invalid_for_non_ca@0", "OK"),
  r("leaf with keyCertSign (strict)", "leaf-keycertsign", ["serial-root"], [], [], "ku_key_cert_sign_invalid_for_non_ca@0", undefined, undefined, true),
  r("leaf without Authority Key Identifier", "no-aki", ["serial-root"], [], [], "OK"),
  r("leaf without Authority Key Identifier (strict)", "no-aki", ["serial-root"], [], [], "missing_authority_key_identifier@0", undefined, undefined, true),
  r("rollover chain (strict)", "roll-leaf-new", ["roll-old"], ["roll-new-with-old"], [], "OK", undefined, undefined, true),
  r("otherName SAN under an otherName constraint of its type", "othername-leaf", ["serial-root"], ["othername-int"], [], "unsupported_constraint_type@0"),
  r("otherName SAN under DNS-only constraints", "othername-leaf", ["serial-root"], ["othername-int-dns"], [], "OK"),
];
