/**
 * Instant lock in the one decision: a client certificate an administrator blocked (Mutual TLS → Blocked
 * certificates) is refused on every application before any policy runs, whatever the policies say and without a
 * CRL — the gateway, the tester and Explain all decide through `decide`, so they agree. A block matches the leaf's
 * SHA-256 fingerprint, or its issuer DN and serial number (the certificate need not be at hand: a serial from an
 * incident report is enough).
 *
 * Matching is by normalised keys (`blockKey`): fingerprints and serials as lower-case hex without separators,
 * serials without leading zero octets (as lib/pki shows them, so "00:ff", "00ff" and "FF" name the same serial),
 * issuer DNs compared case-insensitively with spacing and the order of their attributes ignored.
 */
import type { CertVerdict } from "./types";

export type BlockKind = "sha256" | "issuer_serial";

/** One blocked certificate as the decision needs it (plain data, structured-clone safe). */
export interface BlockedCertificate {
  id: string;
  kind: BlockKind;
  /** lower-case hex without colons (kind sha256) */
  sha256: string | null;
  issuer: string | null;
  serial: string | null;
  reason: string;
  /** ISO time it was blocked */
  blockedAt: string;
}

/** The blocks of one configuration generation, indexed for a map lookup per request. */
export interface BlockList {
  size: number;
  keys: ReadonlyMap<string, BlockedCertificate>;
}

const HEX = /^[0-9a-f]+$/;

/** A SHA-256 fingerprint as lower-case hex (colons, spaces and case ignored), or null when it is not one. */
export function normalizeSha256(input: string): string | null {
  const hex = input.replace(/[\s:]/g, "").toLowerCase();
  return hex.length === 64 && HEX.test(hex) ? hex : null;
}

/** A serial number in lower-case hex without separators or leading zero octets, or null when it is not hex. */
export function normalizeSerial(input: string): string | null {
  let hex = input.replace(/[\s:]/g, "").toLowerCase().replace(/^0x/, "");
  if (!hex || !HEX.test(hex) || hex.length > 42) return null;
  if (hex.length % 2) hex = `0${hex}`;
  // lib/pki shows serials without the 00 octet DER adds before a leading 1 bit; compare them the same way.
  while (hex.length > 2 && hex.startsWith("00")) hex = hex.slice(2);
  return hex;
}

/**
 * An issuer DN for comparison: case-insensitive, spacing around "," "+" and "=" ignored, and the order of its parts
 * too — `openssl x509 -issuer` prints "O = Example, CN = CA" where lib/pki shows "CN=CA, O=Example"; together with
 * the serial number the set of attributes still names one certificate.
 */
export function normalizeIssuer(input: string): string {
  const flat = input.trim().toLowerCase().replace(/\s*([,+=])\s*/g, "$1").replace(/\s+/g, " ");
  return flat.split(/(?<!\\),/).sort().join(",");
}

/** The unique match key of a block (also stored, so one certificate is never blocked twice the same way). */
export function blockKey(kind: "sha256", sha256: string): string;
export function blockKey(kind: "issuer_serial", issuer: string, serial: string): string;
export function blockKey(kind: BlockKind, a: string, b?: string): string {
  return kind === "sha256" ? `sha256:${a}` : `issuer_serial:${normalizeIssuer(a)}|${b}`;
}

/** Indexes blocks for the decision; null when there are none (the cached path then costs nothing). */
export function compileBlockList(blocks: readonly BlockedCertificate[] | undefined): BlockList | null {
  if (!blocks || !blocks.length) return null;
  const keys = new Map<string, BlockedCertificate>();
  for (const b of blocks) {
    if (b.kind === "sha256" && b.sha256) keys.set(blockKey("sha256", b.sha256), b);
    else if (b.kind === "issuer_serial" && b.issuer && b.serial) keys.set(blockKey("issuer_serial", b.issuer, b.serial), b);
  }
  return { size: keys.size, keys };
}

/** Keys of a verdict, per verdict (the cached path's verdicts are shared and frozen). */
const verdictKeys = new WeakMap<CertVerdict, readonly string[]>();

function keysOf(cert: CertVerdict): readonly string[] {
  let keys = verdictKeys.get(cert);
  if (!keys) {
    const out: string[] = [];
    const fp = cert.sha256 ? normalizeSha256(cert.sha256) : null;
    if (fp) out.push(blockKey("sha256", fp));
    const serial = cert.serial ? normalizeSerial(cert.serial) : null;
    if (cert.issuer && serial) out.push(blockKey("issuer_serial", cert.issuer, serial));
    keys = out;
    if (Object.isFrozen(cert)) verdictKeys.set(cert, keys);
  }
  return keys;
}

/** The block that refuses this certificate, or null (nothing presented, or not blocked). */
export function blockedBy(list: BlockList | null | undefined, cert: CertVerdict): BlockedCertificate | null {
  if (!list || !cert.presented) return null;
  for (const k of keysOf(cert)) {
    const hit = list.keys.get(k);
    if (hit) return hit;
  }
  return null;
}

/** The log and 403 sentence of a blocked certificate. */
export function blockedReason(b: BlockedCertificate): string {
  return `Blocked: the client certificate is locked (Blocked certificates, since ${b.blockedAt.replace(/\.\d{3}Z$/, "Z")}): ${b.reason}`;
}
