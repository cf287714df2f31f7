/**
 * Structural rules of RFC 5280 that a certificate of a path must follow, whatever the chain: the ones OpenSSL only
 * applies under `-x509_strict` (or not at all) but that a conforming CA never breaks, so breaking them is refused.
 * The key-identifier rules (§4.2.1.1, §4.2.1.2) are reported as errors only under the per-hostname Strict option
 * (like `-x509_strict`); the inspector shows them as warnings (./checks).
 */
import { EXT, KU } from "./oids";
import type { VerifyErrorCode } from "./verify-errors";
import type { ParsedCertificate } from "./x509";

export interface StructureProblem {
  code: VerifyErrorCode;
  detail: string;
}

/** RFC 5280 §4.1.2.2: at most 20 octets. */
export const MAX_SERIAL_OCTETS = 20;

const EXT_NAMES = new Map<string, string>(Object.entries(EXT).map(([name, oid]) => [oid, name]));
const extName = (oid: string) => EXT_NAMES.get(oid) ?? oid;

/** Problems every certificate of a path is refused for (`label` names it in the details). */
export function structureProblems(c: ParsedCertificate, label: string): StructureProblem[] {
  const out: StructureProblem[] = [];
  if (c.duplicateExtensions.length)
    out.push({ code: "invalid_extension", detail: `${label} has the extension(s) ${c.duplicateExtensions.map(extName).join(", ")} more than once (RFC 5280 §4.2).` });
  if (c.serial.every((b) => b === 0))
    out.push({ code: "invalid_serial_number", detail: `${label} has serial number 0; RFC 5280 §4.1.2.2 requires a positive serial.` });
  else if (c.serialOctets > MAX_SERIAL_OCTETS)
    out.push({ code: "invalid_serial_number", detail: `${label} has a ${c.serialOctets}-octet serial number; RFC 5280 §4.1.2.2 allows at most ${MAX_SERIAL_OCTETS}.` });
  if (c.extKeyUsage !== null && c.extKeyUsage.length === 0)
    out.push({ code: "invalid_extension", detail: `${label} has an empty Extended Key Usage (RFC 5280 §4.2.1.12 requires at least one purpose).` });
  if (c.basicConstraints?.ca !== true && c.keyUsage !== null && (c.keyUsage & KU.keyCertSign) !== 0)
    out.push({ code: "ku_key_cert_sign_invalid_for_non_ca", detail: `${label} is not a CA but its Key Usage has keyCertSign (RFC 5280 §4.2.1.3).` });
  return out;
}

/**
 * The key identifiers RFC 5280 requires (as OpenSSL's -x509_strict checks them): an Authority Key Identifier with a
 * keyIdentifier in every version 3 certificate but the top of the path, and a Subject Key Identifier in every CA.
 */
export function keyIdentifierProblems(c: ParsedCertificate, label: string, top: boolean): StructureProblem[] {
  if (c.version < 3) return [];
  const out: StructureProblem[] = [];
  if (!top && !c.authorityKeyId)
    out.push({ code: "missing_authority_key_identifier", detail: `${label} has no Authority Key Identifier (key identifier), which RFC 5280 §4.2.1.1 requires.` });
  if (c.basicConstraints?.ca === true && !c.subjectKeyId)
    out.push({ code: "missing_subject_key_identifier", detail: `${label} is a CA without a Subject Key Identifier, which RFC 5280 §4.2.1.2 requires.` });
  return out;
}
