/**
 * Blocked certificates (Mutual TLS → Blocked certificates) in the nginx export, refused on every location before any
 * policy as lib/access refuses them. nginx 1.22 has no SHA-256 fingerprint variable, so a block is matched by its
 * serial number ($ssl_client_serial: one hash lookup per request) and then by its issuer's Common Name in
 * $ssl_client_i_dn (a regex, evaluated only when the serial is a blocked one). Two certificates of one CA never share
 * a serial (RFC 5280 4.1.2.2), so this refuses what the gateway refuses; issuers with the same Common Name make it
 * refuse more, never less. A block known only by its fingerprint (the certificate was never presented to Portcullis,
 * so its serial and issuer are unknown) cannot be written: the configuration says so, it is never dropped silently.
 */
import type { BlockedCertificate } from "../access/blocked";
import { regexLiteral, rfc2253Escape } from "./nginx-policy";

export interface BlockedPlan {
  /** http-level map blocks (none when nothing can be matched) */
  maps: string[];
  /** the variable that is "1" when the presented certificate is blocked, or null when there is none */
  variable: string | null;
  /** header notes: what is refused, and which blocks nginx cannot express */
  notes: string[];
}

const SERIAL_VAR = "$pc_blocked_serial";
const BLOCKED_VAR = "$pc_blocked";

/** Undoes RFC 4514 escapes (`\,` and `\hh`, the latter UTF-8 bytes) of one attribute value. */
function unescapeValue(v: string): string {
  const chars = Array.from(v);
  const bytes: number[] = [];
  for (let i = 0; i < chars.length; i++) {
    const hex = chars[i] === "\\" ? chars.slice(i + 1, i + 3).join("") : "";
    if (/^[0-9a-fA-F]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else bytes.push(...Buffer.from(chars[i] === "\\" && i + 1 < chars.length ? chars[++i] : chars[i], "utf8"));
  }
  return Buffer.from(bytes).toString("utf8");
}

/**
 * The Common Name of an issuer DN as Portcullis shows it ("CN=Example CA,O=Example") or as an admin typed it
 * ("O = Example, CN = Example CA"), unescaped; null when it has none. With several, the first one written.
 */
export function issuerCommonName(issuer: string): string | null {
  for (const part of issuer.split(/(?<!\\)[,+]/)) {
    const m = /^\s*(?:cn|commonName|2\.5\.4\.3)\s*=\s*(.*?)\s*$/i.exec(part);
    if (m && m[1]) return unescapeValue(m[1]);
  }
  return null;
}

/** The map key line refusing `serial` (lib/access form: lower-case hex, no leading zero octets) of `issuer`. */
function blockLine(serial: string, issuer: string): string {
  const s = serial.toUpperCase();
  const cn = issuerCommonName(issuer);
  const re = cn === null ? `~^1\\|${s}\\|` : `~*^1\\|${s}\\|(?:.*[^\\\\],)?CN=${regexLiteral(rfc2253Escape(cn))}(?:[,+]|$)`;
  return `    ${JSON.stringify(re)} 1;`;
}

/** The maps refusing `blocked`, and the notes the export's header carries about them. */
export function blockedMaps(blocked: readonly BlockedCertificate[]): BlockedPlan {
  const matchable = blocked.filter((b) => b.serial && b.issuer && /^[0-9a-f]+$/.test(b.serial));
  const fingerprintOnly = blocked.length - matchable.length;
  const notes: string[] = [];
  if (fingerprintOnly) {
    notes.push(
      `NOT REFUSED HERE: ${fingerprintOnly} blocked certificate(s) known only by their SHA-256 fingerprint (never presented to Portcullis, so their serial and issuer are unknown; nginx has no SHA-256 variable). Block them by issuer and serial number as well, or revoke them with their CA's CRL.`,
    );
  }
  if (!matchable.length) return { maps: [], variable: null, notes };
  const noCn = matchable.filter((b) => issuerCommonName(b.issuer!) === null).length;
  notes.push(
    `${matchable.length} blocked certificate(s) are refused with 403 on every location before any policy, matched by serial number and issuer Common Name${noCn ? ` (${noCn} whose issuer has no Common Name: by serial number alone)` : ""}.`,
  );
  const serials = [...new Set(matchable.map((b) => b.serial!.toUpperCase()))].sort();
  const lines = [...new Set(matchable.map((b) => blockLine(b.serial!, b.issuer!)))];
  const maps = [
    `# blocked certificates: their serial numbers (one hash lookup per request)\nmap $ssl_client_serial ${SERIAL_VAR} {\n    default 0;\n${serials.map((s) => `    ${s} 1;`).join("\n")}\n}`,
    `# blocked certificates: serial number and issuer Common Name (the regexes run only for a blocked serial)\nmap "${SERIAL_VAR}|$ssl_client_serial|$ssl_client_i_dn" ${BLOCKED_VAR} {\n    "~^0\\\\|" 0;\n${lines.join("\n")}\n    default 0;\n}`,
  ];
  return { maps, variable: BLOCKED_VAR, notes };
}
