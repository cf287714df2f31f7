/**
 * Hostname normalisation (design.md §4). Pure and isomorphic: IDN → punycode goes through the WHATWG URL
 * parser, which exists in browsers and in Node.
 *
 * Rules: trim, lower-case, IDN → punycode, a pasted URL or `host:port` / `host/path` is reduced to its host
 * with a notice, each label 1–63 chars of [a-z0-9-] not starting or ending with '-', total ≤ 253, at least
 * one dot, no IP addresses. A single trailing root dot ("example.com.") is dropped with a notice.
 *
 * Wildcards: Cloudflare Access application domains accept a leading wildcard label (`*.example.com`);
 * mTLS associated hostnames do not. Pass `{ allowWildcard: true }` for the former.
 */

export type HostnameResult =
  | { ok: true; hostname: string; notice?: string }
  | { ok: false; error: string };

export interface HostnameOptions {
  /** Accept a leading `*.` label (application domains). Default false (mTLS associated hostnames). */
  allowWildcard?: boolean;
}

export const MAX_HOSTNAME_LENGTH = 253;
export const MAX_LABEL_LENGTH = 63;

const SCHEME_RE = /^[a-z][a-z0-9+.-]*:\/\//i;
const LABEL_RE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
const LABEL_CHARS_RE = /^[a-z0-9-]+$/;
const IPV4_RE = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const NUMERIC_RE = /^(?:\d+|0x[0-9a-f]*)$/;
const ASCII_RE = /^[\x21-\x7e]*$/;
const PORT_RE = /^\d{1,5}$/;

function fail(input: string, reason: string): HostnameResult {
  return { ok: false, error: `"${input}" is not a valid hostname: ${reason}` };
}

/** Splits `host[:port][/path][?query][#fragment]` (no scheme) into host and whether anything was cut. */
function splitHostPart(s: string): { host: string; cut: boolean; badPort?: string } {
  let end = s.length;
  for (const ch of ["/", "?", "#"]) {
    const i = s.indexOf(ch);
    if (i >= 0 && i < end) end = i;
  }
  let host = s.slice(0, end);
  let cut = end < s.length;
  const at = host.lastIndexOf("@");
  if (at >= 0) {
    host = host.slice(at + 1);
    cut = true;
  }
  const colon = host.indexOf(":");
  if (colon >= 0 && host.indexOf(":", colon + 1) < 0 && !host.startsWith("[")) {
    const port = host.slice(colon + 1);
    if (!PORT_RE.test(port)) return { host, cut, badPort: port };
    host = host.slice(0, colon);
    cut = true;
  }
  return { host, cut };
}

function toAscii(host: string): string | null {
  if (ASCII_RE.test(host) && !host.toLowerCase().includes("xn--")) return host.toLowerCase();
  try {
    return new URL(`http://${host}`).hostname;
  } catch {
    return null;
  }
}

function checkLabels(input: string, host: string, wildcard: boolean): HostnameResult {
  const labels = host.split(".");
  for (const label of labels) {
    if (label.length === 0) return fail(input, "empty label");
    if (label.length > MAX_LABEL_LENGTH) {
      return fail(input, `label "${label.slice(0, 20)}…" is longer than ${MAX_LABEL_LENGTH} characters`);
    }
    if (!LABEL_CHARS_RE.test(label)) {
      return fail(input, `label "${label}" may contain only letters, digits and hyphens`);
    }
    if (!LABEL_RE.test(label)) return fail(input, `label "${label}" must not start or end with a hyphen`);
  }
  const total = (wildcard ? 2 : 0) + host.length;
  if (total > MAX_HOSTNAME_LENGTH) return fail(input, `longer than ${MAX_HOSTNAME_LENGTH} characters`);
  if (labels.length < 2) {
    return fail(input, "a fully-qualified domain name needs at least one dot (e.g. auth.example.com)");
  }
  if (NUMERIC_RE.test(labels[labels.length - 1])) return fail(input, "the last label must not be numeric");
  return { ok: true, hostname: (wildcard ? "*." : "") + host };
}

/** Normalises one hostname; never throws. */
export function normalizeHostname(input: string, options: HostnameOptions = {}): HostnameResult {
  const raw = typeof input === "string" ? input.trim() : "";
  if (raw.length === 0) return { ok: false, error: "Hostname must not be empty" };
  if (raw.length > 2048) return fail(raw.slice(0, 40) + "…", "far too long");

  let host: string;
  let reduced = false;
  if (SCHEME_RE.test(raw)) {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return fail(raw, "it looks like a URL but cannot be parsed");
    }
    host = url.hostname;
    reduced = true;
  } else {
    if (/\s/.test(raw)) return fail(raw, "must not contain spaces");
    const parts = splitHostPart(raw);
    if (parts.badPort !== undefined) return fail(raw, `"${parts.badPort}" is not a port number`);
    host = parts.host;
    reduced = parts.cut;
  }

  if (host.startsWith("[") || host.includes(":")) {
    return fail(raw, "IP addresses are not allowed; enter a hostname such as auth.example.com");
  }
  let trailingDot = false;
  if (host.endsWith(".") && !host.endsWith("..") && host.length > 1) {
    host = host.slice(0, -1);
    trailingDot = true;
  }
  if (host.length === 0) return fail(raw, "no hostname found");

  let wildcard = false;
  if (host.startsWith("*.")) {
    if (!options.allowWildcard) return fail(raw, "wildcards are not allowed here");
    wildcard = true;
    host = host.slice(2);
  }
  if (host.includes("*")) {
    return fail(raw, options.allowWildcard ? "a wildcard is only allowed as the whole first label (*.example.com)" : "wildcards are not allowed here");
  }
  if (host.split(".").some((l) => l.length === 0)) return fail(raw, "empty label");
  if (IPV4_RE.test(host)) return fail(raw, "IP addresses are not allowed; enter a hostname such as auth.example.com");

  const ascii = toAscii(host);
  if (ascii === null) {
    return fail(raw, /xn--/i.test(host) ? "contains an invalid punycode (xn--) label" : "contains characters that cannot be converted to an ASCII (punycode) hostname");
  }
  if (IPV4_RE.test(ascii)) return fail(raw, "IP addresses are not allowed; enter a hostname such as auth.example.com");

  const checked = checkLabels(raw, ascii, wildcard);
  if (!checked.ok) return checked;
  const hostname = checked.hostname;
  const notes: string[] = [];
  if (reduced) notes.push(`Reduced ${raw} to ${hostname}`);
  else if (trailingDot) notes.push(`Removed the trailing dot from ${raw}`);
  return notes.length ? { ok: true, hostname, notice: notes.join("; ") } : { ok: true, hostname };
}

export interface HostnameListResult {
  hostnames: string[];
  notices: string[];
  errors: { input: string; error: string }[];
}

/** Normalises a list: blank entries skipped, duplicates (after normalisation) dropped with a notice, order kept. */
export function normalizeHostnames(list: readonly string[], options: HostnameOptions = {}): HostnameListResult {
  const hostnames: string[] = [];
  const notices: string[] = [];
  const errors: { input: string; error: string }[] = [];
  const seen = new Set<string>();
  for (const input of list) {
    if (typeof input !== "string" || input.trim() === "") continue;
    const r = normalizeHostname(input, options);
    if (!r.ok) {
      errors.push({ input, error: r.error });
      continue;
    }
    if (r.notice) notices.push(r.notice);
    if (seen.has(r.hostname)) {
      notices.push(`Removed duplicate hostname ${r.hostname}`);
      continue;
    }
    seen.add(r.hostname);
    hostnames.push(r.hostname);
  }
  return { hostnames, notices, errors };
}

export type AppDomainResult =
  | { ok: true; host: string; path: string; domain: string; notice?: string }
  | { ok: false; error: string };

const PATH_FORBIDDEN_RE = /[\s\\<>"{}|^`]/;

/**
 * Parses an Access application domain, "host and optional path" (`auth.example.com/admin`). A pasted URL is
 * reduced (scheme, port, query and fragment dropped). The host may have a leading wildcard label. `path` is
 * "/" for the root, otherwise starts with "/" and has no trailing slash; `domain` is `host` or `host/path`.
 */
export function parseAppDomain(input: string): AppDomainResult {
  const raw = typeof input === "string" ? input.trim() : "";
  if (raw.length === 0) return { ok: false, error: "Domain must not be empty" };
  let rest = raw;
  let hadScheme = false;
  const scheme = SCHEME_RE.exec(rest);
  if (scheme) {
    rest = rest.slice(scheme[0].length);
    hadScheme = true;
  }
  let end = rest.length;
  for (const ch of ["/", "?", "#"]) {
    const i = rest.indexOf(ch);
    if (i >= 0 && i < end) end = i;
  }
  const hostPart = rest.slice(0, end);
  let pathPart = rest.slice(end);
  const cutAt = pathPart.search(/[?#]/);
  const droppedQuery = cutAt >= 0;
  if (droppedQuery) pathPart = pathPart.slice(0, cutAt);

  const h = normalizeHostname(hostPart, { allowWildcard: true });
  if (!h.ok) {
    return { ok: false, error: h.error.replace(`"${hostPart.trim()}"`, `"${raw}"`).replace("not a valid hostname", "not a valid domain") };
  }
  if (PATH_FORBIDDEN_RE.test(pathPart) || /[\x00-\x1f\x7f]/.test(pathPart)) {
    return { ok: false, error: `"${raw}" is not a valid domain: the path contains characters that are not allowed` };
  }
  let path = pathPart.replace(/\/{2,}/g, "/");
  if (!path.startsWith("/")) path = "/" + path;
  while (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  const domain = path === "/" ? h.hostname : h.hostname + path;
  const changed = hadScheme || droppedQuery || h.notice !== undefined;
  return changed
    ? { ok: true, host: h.hostname, path, domain, notice: `Reduced ${raw} to ${domain}` }
    : { ok: true, host: h.hostname, path, domain };
}
