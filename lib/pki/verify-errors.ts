/** Path-validation error codes and their OpenSSL 3.x equivalents (crypto/x509/x509_txt.c). */

export const VERIFY_ERRORS = {
  unspecified: [1, "X509_V_ERR_UNSPECIFIED", "unspecified certificate verification error"],
  unable_to_get_issuer_certificate: [2, "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT", "unable to get issuer certificate"],
  unable_to_get_crl: [3, "X509_V_ERR_UNABLE_TO_GET_CRL", "unable to get certificate CRL"],
  certificate_signature_failure: [7, "X509_V_ERR_CERT_SIGNATURE_FAILURE", "certificate signature failure"],
  crl_signature_failure: [8, "X509_V_ERR_CRL_SIGNATURE_FAILURE", "CRL signature failure"],
  certificate_not_yet_valid: [9, "X509_V_ERR_CERT_NOT_YET_VALID", "certificate is not yet valid"],
  certificate_has_expired: [10, "X509_V_ERR_CERT_HAS_EXPIRED", "certificate has expired"],
  crl_not_yet_valid: [11, "X509_V_ERR_CRL_NOT_YET_VALID", "CRL is not yet valid"],
  crl_has_expired: [12, "X509_V_ERR_CRL_HAS_EXPIRED", "CRL has expired"],
  self_signed_certificate: [18, "X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT", "self-signed certificate"],
  self_signed_certificate_in_chain: [
    19,
    "X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN",
    "self-signed certificate in certificate chain",
  ],
  unable_to_get_local_issuer_certificate: [
    20,
    "X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
    "unable to get local issuer certificate",
  ],
  certificate_chain_too_long: [22, "X509_V_ERR_CERT_CHAIN_TOO_LONG", "certificate chain too long"],
  certificate_revoked: [23, "X509_V_ERR_CERT_REVOKED", "certificate revoked"],
  path_length_exceeded: [25, "X509_V_ERR_PATH_LENGTH_EXCEEDED", "path length constraint exceeded"],
  invalid_purpose: [26, "X509_V_ERR_INVALID_PURPOSE", "unsuitable certificate purpose"],
  key_usage_no_certsign: [32, "X509_V_ERR_KEYUSAGE_NO_CERTSIGN", "key usage does not include certificate signing"],
  unhandled_critical_extension: [34, "X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION", "unhandled critical extension"],
  key_usage_no_crl_sign: [35, "X509_V_ERR_KEYUSAGE_NO_CRL_SIGN", "key usage does not include CRL signing"],
  unhandled_critical_crl_extension: [
    36,
    "X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION",
    "unhandled critical CRL extension",
  ],
  permitted_violation: [47, "X509_V_ERR_PERMITTED_VIOLATION", "permitted subtree violation"],
  excluded_violation: [48, "X509_V_ERR_EXCLUDED_VIOLATION", "excluded subtree violation"],
  invalid_ca: [79, "X509_V_ERR_INVALID_CA", "invalid CA certificate"],
  invalid_extension: [41, "X509_V_ERR_INVALID_EXTENSION", "invalid or inconsistent certificate extension"],
  different_crl_scope: [44, "X509_V_ERR_DIFFERENT_CRL_SCOPE", "Different CRL scope"],
  unsupported_constraint_type: [51, "X509_V_ERR_UNSUPPORTED_CONSTRAINT_TYPE", "unsupported name constraint type"],
  crl_path_validation_error: [54, "X509_V_ERR_CRL_PATH_VALIDATION_ERROR", "CRL path validation error"],
  ku_key_cert_sign_invalid_for_non_ca: [82, "X509_V_ERR_KU_KEY_CERT_SIGN_INVALID_FOR_NON_CA", "Key usage keyCertSign invalid for non-CA cert"],
  missing_authority_key_identifier: [85, "X509_V_ERR_MISSING_AUTHORITY_KEY_IDENTIFIER", "Missing Authority Key Identifier"],
  missing_subject_key_identifier: [86, "X509_V_ERR_MISSING_SUBJECT_KEY_IDENTIFIER", "Missing Subject Key Identifier"],
  // No OpenSSL code: OpenSSL accepts any serial; RFC 5280 §4.1.2.2 does not (test/pki/DISAGREEMENTS.md).
  invalid_serial_number: [1, "X509_V_ERR_UNSPECIFIED", "invalid certificate serial number"],
} as const satisfies Record<string, readonly [number, string, string]>;

export type VerifyErrorCode = keyof typeof VERIFY_ERRORS;

export interface VerifyError {
  code: VerifyErrorCode;
  /** 0 = leaf, as in `openssl verify`. */
  depth: number;
  /** OpenSSL's reason string, e.g. "certificate has expired". */
  message: string;
  /** OpenSSL symbolic name, e.g. "X509_V_ERR_CERT_HAS_EXPIRED". */
  openssl: string;
  /** OpenSSL numeric code in 3.x (as printed by `openssl verify`). */
  number: number;
  /** Human explanation naming the certificate. */
  detail: string;
}

export function verifyError(code: VerifyErrorCode, depth: number, detail: string): VerifyError {
  const [number, openssl, message] = VERIFY_ERRORS[code];
  return { code, depth, message, openssl, number, detail };
}
