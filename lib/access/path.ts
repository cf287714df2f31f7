/**
 * Request-target normalisation for access decisions. Pure and isomorphic (no Node, DOM or framework APIs).
 *
 * A gateway that matches policies on the raw request target can be walked past: `/public/../secret`,
 * `/Admin`, `/%61dmin`, `//admin`, `/admin;x` or `GET http://host/admin` all name the protected `/admin` to
 * the origin while not looking like it to a naive prefix check. `normalizeTarget` turns the target into:
 *
 * - `path`: what the origin is sent. Percent-escapes of unreserved characters (RFC 3986 §2.3) are decoded, every
 *   other escape keeps its byte with upper-case hex, dot segments are removed (RFC 3986 §5.2.4, also when written
 *   `%2e`), `//` is collapsed. `;parameters` stay (Tomcat's `;jsessionid=` must reach it).
 * - `key`: what applications are matched on. Every escape decoded, each segment without its `;parameters` (origins
 *   such as Tomcat ignore them, so `/admin;x` IS `/admin` there), ASCII letters lower-cased (application paths
 *   match case-insensitively, as in Cloudflare Access).
 *   A key may end with "/" (`/admin/`); `pathCovers` treats that like `/admin`.
 * - `query`: the original query ("?…", or "") and `target` = `path` + `query`.
 *
 * Refused outright (a clear error; the gateway answers 400): the absolute form `http://a/…` unless its authority is
 * the Host header (then its path is used), the asterisk form, encoded `/` `\` NUL (`%2F` `%5C` `%00`: origins
 * disagree on whether they separate segments), a raw `\` or `#`, control or non-ASCII characters, malformed escapes,
 * and dot segments or empty segments that carry parameters (`/..;/admin` is `/../admin` to Tomcat).
 *
 * `pathCovers(appKey, key)` matches on segment boundaries: `/admin` covers `/admin` and `/admin/x`, never
 * `/administrator`. Both sides must be keys (`appPathKey` for an application's configured path).
 */

export type TargetResult =
  | { ok: true; path: string; query: string; target: string; key: string }
  | { ok: false; error: string };

/**
 * Fast path: "/" then segments of unreserved characters, none starting with a dot, no `//` (a final "/" is fine).
 * Such a path is already normal: `path` is the input and `key` its lower-case form (the same string when it is
 * lower-case already). A character loop: about twice as fast as the equivalent regular expression here.
 */
function isSimplePath(p: string): boolean {
  const n = p.length;
  if (n === 0 || p.charCodeAt(0) !== 0x2f) return false;
  for (let i = 1; i < n; i++) {
    const c = p.charCodeAt(i);
    if (c === 0x2f || c === 0x2e) {
      // no empty segment, no segment starting with "."
      const prev = p.charCodeAt(i - 1);
      if (prev === 0x2f) return false;
      continue;
    }
    if (!isUnreserved(c)) return false;
  }
  return true;
}
const ABSOLUTE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)/;
const HEX = "0123456789ABCDEF";

const fail = (error: string): TargetResult => ({ ok: false, error });

function hexValue(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

function isUnreserved(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e || c === 0x5f || c === 0x7e;
}

/** Lower-cases ASCII letters only (byte-wise, like nginx's case-insensitive regex matching). */
export function asciiLower(s: string): string {
  // toLowerCase would also fold Latin-1 letters (decoded bytes ≥ 0x80); only A–Z may change.
  return /[\x80-\uffff]/.test(s) ? s.replace(/[A-Z]+/g, (m) => m.toLowerCase()) : s.toLowerCase();
}

/** One raw segment → its forwarded form and its fully decoded form (bytes as Latin-1 characters), or an error. */
function decodeSegment(seg: string): { fwd: string; dec: string } | string {
  let fwd = "";
  let dec = "";
  for (let i = 0; i < seg.length; i++) {
    const c = seg.charCodeAt(i);
    if (c === 0x25) {
      const hi = i + 2 < seg.length ? hexValue(seg.charCodeAt(i + 1)) : -1;
      const lo = i + 2 < seg.length ? hexValue(seg.charCodeAt(i + 2)) : -1;
      if (hi < 0 || lo < 0) return `"${seg.slice(i, i + 3)}" is not a valid percent-escape`;
      const b = hi * 16 + lo;
      i += 2;
      if (b === 0x2f || b === 0x5c || b === 0) return `an encoded ${b === 0x2f ? '"/" (%2F)' : b === 0x5c ? '"\\" (%5C)' : "NUL (%00)"} is not allowed in the path`;
      const ch = String.fromCharCode(b);
      dec += ch;
      fwd += isUnreserved(b) ? ch : `%${HEX[b >> 4]}${HEX[b & 15]}`;
      continue;
    }
    if (c === 0x5c) return 'a "\\" is not allowed in the path';
    if (c === 0x23) return 'a "#" (fragment) is not allowed in the request target';
    if (c <= 0x20 || c >= 0x7f) return "control, space and non-ASCII characters must be percent-encoded";
    const ch = seg[i];
    dec += ch;
    fwd += ch;
  }
  return { fwd, dec };
}

/** Normalises an origin-form path (starting with "/", without the query). */
export function normalizePath(raw: string): { ok: true; path: string; key: string } | { ok: false; error: string } {
  if (raw.charCodeAt(0) !== 0x2f) return { ok: false, error: "the path must start with /" };
  if (isSimplePath(raw)) return { ok: true, path: raw, key: raw.toLowerCase() };
  const segs = raw.split("/");
  const fwd: string[] = [];
  const keys: string[] = [];
  let trailing = false;
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i];
    if (seg === "") {
      // "//" collapses; a final empty segment is the trailing slash.
      if (i === segs.length - 1) trailing = true;
      continue;
    }
    const d = decodeSegment(seg);
    if (typeof d === "string") return { ok: false, error: d };
    const semi = d.dec.indexOf(";");
    const name = semi < 0 ? d.dec : d.dec.slice(0, semi);
    if (name === "." || name === "..") {
      if (semi >= 0) return { ok: false, error: `the path segment "${seg}" is a dot segment with parameters` };
      if (name === "..") {
        fwd.pop();
        keys.pop();
      }
      // RFC 3986 §5.2.4: "/a/." and "/a/b/.." end with a slash.
      trailing = true;
      continue;
    }
    if (name === "") return { ok: false, error: `the path segment "${seg}" has parameters but no name` };
    fwd.push(d.fwd);
    keys.push(asciiLower(name));
    trailing = false;
  }
  if (!fwd.length) return { ok: true, path: "/", key: "/" };
  return { ok: true, path: `/${fwd.join("/")}${trailing ? "/" : ""}`, key: `/${keys.join("/")}` };
}

/**
 * Normalises an HTTP/1.1 request target (`req.url`) given the request's Host header. See the module comment for
 * what is refused and why.
 */
export function normalizeTarget(target: string, host: string): TargetResult {
  let t = target;
  if (t.charCodeAt(0) !== 0x2f) {
    const m = ABSOLUTE.exec(t);
    if (!m) return fail(t === "*" ? "the asterisk-form request target (OPTIONS *) is not served" : "the request target must be a path starting with /");
    const scheme = m[1].toLowerCase();
    if (scheme !== "http" && scheme !== "https") return fail(`the absolute-form request target has the scheme "${m[1]}"; only http and https are served`);
    if (m[2].toLowerCase() !== host.trim().toLowerCase()) return fail(`the absolute-form request target names "${m[2]}", which is not the Host header "${host}"`);
    t = t.slice(m[0].length);
    if (t === "" || t.charCodeAt(0) === 0x3f) t = `/${t}`;
    else if (t.charCodeAt(0) === 0x23) return fail('a "#" (fragment) is not allowed in the request target');
  }
  const q = t.indexOf("?");
  const rawPath = q < 0 ? t : t.slice(0, q);
  const query = q < 0 ? "" : t.slice(q);
  // Fast path (ASCII only, so toLowerCase is byte-wise here).
  if (t === target && isSimplePath(rawPath)) return { ok: true, path: rawPath, query, target, key: rawPath.toLowerCase() };
  const p = normalizePath(rawPath);
  if (!p.ok) return p;
  return { ok: true, path: p.path, query, target: p.path === rawPath && t === target ? target : p.path + query, key: p.key };
}

/**
 * The key of an application's configured path ("" or "/" = the whole hostname). A path that cannot be normalised
 * (say it contains %2F, which every request is refused for) is compared as written, lower-cased.
 */
export function appPathKey(path: string): string {
  if (!path || path === "/") return "/";
  const p = normalizePath(path.charCodeAt(0) === 0x2f ? path : `/${path}`);
  const key = p.ok ? p.key : asciiLower(path);
  // A request key may end with "/" (the fast path keeps it); an application key never does.
  return key.length > 1 && key.endsWith("/") ? key.replace(/\/+$/, "") || "/" : key;
}

/** Whether an application path key covers a request key, on segment boundaries. */
export function pathCovers(appKey: string, key: string): boolean {
  if (appKey === "/") return true;
  const n = appKey.length;
  if (key.length === n) return key === appKey;
  return key.length > n && key.charCodeAt(n) === 0x2f && key.startsWith(appKey);
}

/** The segments of a key ("/a/b" → ["a", "b"]; "/" → []), e.g. to build an equivalent pattern for another proxy. */
export function keySegments(key: string): string[] {
  return key === "/" ? [] : key.slice(1).split("/");
}
