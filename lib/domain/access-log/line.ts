/**
 * One access-log row as a line of PostgreSQL COPY text (the columns of `COPY_COLUMNS`, tab-separated), built where the
 * decision is made: a gateway worker sends its batch to the database-owning process as one string, which that process
 * concatenates and COPYs (PGlite) or reads back into rows (`parseLines`, for PostgreSQL's JSON statement), instead of
 * deserialising and mapping one object per row there.
 */
import { createHash } from "node:crypto";
import type { AccessLogDto } from "./index";

export interface AccessLogEntry {
  at: Date;
  hostname: string;
  applicationId: string | null;
  applicationName: string | null;
  clientCn: string | null;
  serialNumber: string | null;
  decision: "allow" | "deny";
  policyId: string | null;
  policyName: string | null;
  reason: string | null;
  ip: string | null;
  /** The request path after normalisation (query included); absent when the request target was refused. */
  path?: string | null;
  /** The certificates the client presented, DER, leaf first (the gateway's Buffers; read, never written to). */
  chain?: readonly Uint8Array[] | null;
}

/** The columns of a line, in order. */
export const COPY_COLUMNS = "at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip, path, chain_sha256, requests";

/** Longest path kept (a request target is bounded by the HTTP parser's header limit anyway). */
export const MAX_LOGGED_PATH = 4096;
/** Most certificates kept per row (real client chains have 1–4). */
export const MAX_LOGGED_CHAIN = 16;

/** per DER object: its SHA-256 hex (a keep-alive connection's chain is hashed once, not per request) */
const hashes = new WeakMap<object, string>();

export function sha256Hex(der: Uint8Array): string {
  let h = hashes.get(der);
  if (!h) {
    h = createHash("sha256").update(der).digest("hex");
    hashes.set(der, h);
  }
  return h;
}

/** The logged part of a chain (at most MAX_LOGGED_CHAIN certificates), or null for none. */
export const loggedChain = (chain: readonly Uint8Array[] | null | undefined): readonly Uint8Array[] | null =>
  chain?.length ? (chain.length > MAX_LOGGED_CHAIN ? chain.slice(0, MAX_LOGGED_CHAIN) : chain) : null;

/** A chain's SHA-256 hex values as the chain_sha256 array literal (hex needs no quoting). */
export const chainLiteral = (hexes: readonly string[]) => `{${hexes.join(",")}}`;

const SPECIAL = /[\\\t\n\r\0]/;
const isHighSurrogate = (c: number) => c >= 0xd800 && c <= 0xdbff;
/**
 * COPY text: backslash, tab, newline and carriage return escaped, \N for NULL; NUL dropped (PostgreSQL text cannot
 * hold it, and a certificate's CN could); clipped to `max` characters first, never between the two halves of a
 * character outside the BMP. A lone surrogate (from whatever source) becomes U+FFFD: PostgreSQL's JSON statement
 * (./write) refuses one.
 */
function field(s: string | null | undefined, max: number): string {
  if (s === null || s === undefined) return "\\N";
  if (s.length > max) s = s.slice(0, isHighSurrogate(s.charCodeAt(max - 1)) ? max - 1 : max);
  if (!s.isWellFormed()) s = s.toWellFormed();
  if (!SPECIAL.test(s)) return s;
  return s.replace(/[\\\t\n\r\0]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : ""));
}
const ANY = Infinity;

/** A row's line (with its newline): its time, `rest` (`accessLogRest`) and how many requests it stands for (./fold). */
export const accessLogLine = (at: Date, rest: string, requests: number): string => `${at.toISOString()}\t${rest}\t${requests}\n`;

/**
 * The part of an entry's line that identical requests share (everything but the time and the count): ./fold keys
 * rows by it. `chain` is the chain_sha256 literal (`chainLiteral`) or null.
 */
export function accessLogRest(e: AccessLogEntry, chain: string | null): string {
  return `${field(e.hostname, 253)}\t${field(e.applicationId, ANY)}\t${field(e.applicationName, ANY)}\t${field(e.clientCn, 500)}\t${field(e.serialNumber, ANY)}\t${e.decision}\t${field(e.policyId, ANY)}\t${field(e.policyName, ANY)}\t${field(e.reason, 1000)}\t${field(e.ip, ANY)}\t${field(e.path, MAX_LOGGED_PATH)}\t${chain ?? "\\N"}`;
}

/** Whether two entries make the same line apart from the time (their chains given as their literals). */
export const sameRest = (a: AccessLogEntry, b: AccessLogEntry): boolean =>
  a.hostname === b.hostname && a.applicationId === b.applicationId && a.applicationName === b.applicationName && a.clientCn === b.clientCn &&
  a.serialNumber === b.serialNumber && a.decision === b.decision && a.policyId === b.policyId && a.policyName === b.policyName &&
  a.reason === b.reason && a.ip === b.ip && (a.path ?? null) === (b.path ?? null);

/** A row as PostgreSQL's JSON statement takes it (the line's columns, by name). */
export type LineRow = Omit<AccessLogDto, "id" | "chain_sha256"> & { chain_sha256: string[] | null };

const unescape = (s: string): string | null => (s === "\\N" ? null : s.includes("\\") ? s.replace(/\\(.)/g, (_, c: string) => (c === "t" ? "\t" : c === "n" ? "\n" : c === "r" ? "\r" : c)) : s);

/** `accessLogLine`'s lines back as rows (tabs and newlines inside a field are escaped, so splitting is exact). */
export function parseLines(text: string): LineRow[] {
  const rows: LineRow[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const f = line.split("\t").map(unescape);
    const chain = f[12];
    rows.push({
      at: f[0]!, hostname: f[1] ?? "", application_id: f[2], application_name: f[3], client_cn: f[4], serial_number: f[5], decision: f[6] as LineRow["decision"],
      policy_id: f[7], policy_name: f[8], reason: f[9], ip: f[10], path: f[11], chain_sha256: chain ? chain.slice(1, -1).split(",") : null, requests: Number(f[13]),
    });
  }
  return rows;
}
