/**
 * Pure IPv4/IPv6 address and CIDR parsing and matching (no node:net). Addresses are held as 32-bit words:
 * one word for IPv4, four for IPv6. Strict syntax: dotted-decimal IPv4 without leading zeros; IPv6 with
 * optional "::" compression and an optional embedded IPv4 tail; no zone identifiers.
 */

export type IpVersion = 4 | 6;

export interface ParsedIp {
  version: IpVersion;
  words: readonly number[];
}

export interface CompiledCidr {
  version: IpVersion;
  prefix: number;
  /** network words (already masked) */
  network: readonly number[];
  masks: readonly number[];
  /** canonical text, e.g. "10.0.0.0/8", "2001:db8::/32" */
  text: string;
}

const V4_PART_RE = /^(?:0|[1-9]\d{0,2})$/;
const HEX_GROUP_RE = /^[0-9a-f]{1,4}$/i;

export function parseIpv4(s: string): number | null {
  const parts = s.split(".");
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!V4_PART_RE.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n >>> 0;
}

function parseIpv6(s: string): number[] | null {
  if (s.length < 2 || s.length > 45) return null;
  const dbl = s.indexOf("::");
  if (dbl >= 0 && s.indexOf("::", dbl + 1) >= 0) return null;
  const toGroups = (part: string, allowV4Tail: boolean): number[] | null => {
    if (part === "") return [];
    const out: number[] = [];
    const items = part.split(":");
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (allowV4Tail && i === items.length - 1 && it.includes(".")) {
        const v4 = parseIpv4(it);
        if (v4 === null) return null;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!HEX_GROUP_RE.test(it)) return null;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = toGroups(s.slice(0, dbl), false);
    const tail = toGroups(s.slice(dbl + 2), true);
    if (!head || !tail || head.length + tail.length > 7) return null;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const all = toGroups(s, true);
    if (!all || all.length !== 8) return null;
    groups = all;
  }
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push(((groups[i] << 16) | groups[i + 1]) >>> 0);
  return words;
}

/** Parses an IP address. IPv4-mapped IPv6 (`::ffff:10.0.0.1`) stays IPv6 here; see `unmapIpv4`. */
export function parseIp(input: string): ParsedIp | null {
  if (typeof input !== "string") return null;
  const s = input.trim();
  if (s.includes(":")) {
    const w = parseIpv6(s);
    return w ? { version: 6, words: w } : null;
  }
  const v4 = parseIpv4(s);
  return v4 === null ? null : { version: 4, words: [v4] };
}

/** `::ffff:a.b.c.d` → IPv4 a.b.c.d (how dual-stack sockets report IPv4 clients); others unchanged. */
export function unmapIpv4(ip: ParsedIp): ParsedIp {
  if (ip.version === 6 && ip.words[0] === 0 && ip.words[1] === 0 && ip.words[2] === 0xffff) {
    return { version: 4, words: [ip.words[3]] };
  }
  return ip;
}

export function formatIp(ip: ParsedIp): string {
  if (ip.version === 4) {
    const n = ip.words[0];
    return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
  }
  const g: number[] = [];
  for (const w of ip.words) g.push(w >>> 16, w & 0xffff);
  // RFC 5952: compress the longest run (≥ 2) of zero groups, first one on ties.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = g.map((x) => x.toString(16));
  if (bestLen < 2) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLen).join(":")}`;
}

function maskWord(prefix: number, index: number): number {
  const bits = Math.min(32, Math.max(0, prefix - 32 * index));
  if (bits === 0) return 0;
  if (bits === 32) return 0xffffffff;
  return (0xffffffff << (32 - bits)) >>> 0;
}

export type CidrResult = { ok: true; cidr: CompiledCidr } | { ok: false; error: string };

/**
 * Parses "10.0.0.0/8", "2001:db8::/32" or a bare address (→ /32 or /128). Host bits set beyond the prefix
 * are refused with a suggestion ("10.1.2.3/8 has bits set beyond the /8 prefix; use 10.0.0.0/8").
 */
export function parseCidr(input: string): CidrResult {
  const s = typeof input === "string" ? input.trim() : "";
  if (s === "") return { ok: false, error: "IP range must not be empty" };
  const slash = s.indexOf("/");
  const addrText = slash >= 0 ? s.slice(0, slash) : s;
  const ip = parseIp(addrText);
  if (!ip) return { ok: false, error: `"${s}" is not a valid IPv4 or IPv6 address or CIDR range` };
  const max = ip.version === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^(?:0|[1-9]\d{0,2})$/.test(p) || Number(p) > max) {
      return { ok: false, error: `"${s}" has an invalid prefix length: IPv${ip.version} prefixes are 0–${max}` };
    }
    prefix = Number(p);
  }
  const masks = ip.words.map((_, i) => maskWord(prefix, i));
  const network = ip.words.map((w, i) => (w & masks[i]) >>> 0);
  const netText = formatIp({ version: ip.version, words: network });
  if (network.some((w, i) => w !== ip.words[i])) {
    return { ok: false, error: `"${s}" has bits set beyond the /${prefix} prefix; use ${netText}/${prefix}` };
  }
  return { ok: true, cidr: { version: ip.version, prefix, network, masks, text: `${netText}/${prefix}` } };
}

/** True when `ip` is inside `cidr` (IPv4-mapped IPv6 clients are compared as IPv4). */
export function cidrContains(cidr: CompiledCidr, ip: ParsedIp): boolean {
  const addr = ip.version === cidr.version ? ip : unmapIpv4(ip);
  if (addr.version !== cidr.version) return false;
  const w = addr.words;
  for (let i = 0; i < cidr.network.length; i++) {
    if (((w[i] & cidr.masks[i]) >>> 0) !== cidr.network[i]) return false;
  }
  return true;
}
