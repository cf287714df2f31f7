/** Isomorphic public API of lib/pki (browser + Node). The Node-only strict check is in ./server. */
export type { CertificateSummary, ChainLink, InspectResult, PkiIssue, Severity, Verdict } from "./types";
export { splitInput, toPem, MAX_INPUT_BYTES, PRIVATE_KEY_MESSAGE, type PemBlock, type SplitResult } from "./pem";
export { describeCertificate, certLabel } from "./describe";
export { md5 } from "./md5";
export { parseCertificate, type ParsedCertificate } from "./x509";
export {
  inspectChain,
  inspectParsed,
  parseCertificateBlocks,
  applyReorder,
  MAX_CERTIFICATES,
  type InspectOptions,
  type ParsedBlocks,
} from "./inspect";
export { createParseCache, type ParseCache } from "./parse-cache";
export { EXPIRY_WARNING_DAYS } from "./checks";
export {
  validateClientCertificate,
  type Purpose,
  type ValidationResult,
  type ValidationStep,
  type ValidateOptions,
  type ValidateClientCertificateParams,
  type LeafInfo,
} from "./validate";
export { createValidator, type Validator, type CreateValidatorParams } from "./validator";
export { parseCrl, verifyCrlAgainstChain, type CrlInfo, type CrlChainCheck } from "./crl-info";
export type { RevokedEntry } from "./crl";
export { VERIFY_ERRORS, type VerifyError, type VerifyErrorCode } from "./verify-errors";
export type { PkiInput } from "./path";
export { crlCacheStats, configureCrlCache, clearCrlCache, type CrlCacheStats, type CrlCacheLimits } from "./crl-cache";
