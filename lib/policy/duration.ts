/**
 * Go duration syntax (time.ParseDuration) as Cloudflare uses it for `session_duration`:
 * "300ms", "30m", "24h", "1h30m", "1.5h", "0s"; units ns, us (µs/μs), ms, s, m, h. A bare "0" is accepted
 * (Go does too). Values are returned in milliseconds (fractions for sub-millisecond units).
 *
 * Session durations (Portcullis rules, documented here):
 * - "0s" is allowed and means "no session": the user must authenticate on every request (Cloudflare's
 *   "no duration, expires immediately" option).
 * - Negative durations are refused.
 * - The maximum is 8760h (one year). Cloudflare's dashboard offers up to one month (730h); its API accepts
 *   longer Go durations, so Portcullis allows up to a year and refuses anything longer.
 */

export const DEFAULT_SESSION_DURATION = "24h";
export const MAX_SESSION_DURATION_MS = 8760 * 3_600_000;

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  "μs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

const SEGMENT_RE = /(\d*)(?:\.(\d*))?([a-zµμ]+)/y;

export type DurationResult = { ok: true; ms: number } | { ok: false; error: string };

/** Parses a Go duration string; negative values allowed (as Go). Never throws. */
export function parseGoDuration(input: string): DurationResult {
  if (typeof input !== "string") return { ok: false, error: "Duration must be a string such as 24h or 1h30m" };
  const s = input.trim();
  const bad = (why: string): DurationResult => ({ ok: false, error: `"${s}" is not a valid duration: ${why}` });
  if (s === "") return { ok: false, error: "Duration must not be empty" };
  let i = 0;
  let sign = 1;
  if (s[0] === "-" || s[0] === "+") {
    sign = s[0] === "-" ? -1 : 1;
    i = 1;
  }
  const body = s.slice(i);
  if (body === "0") return { ok: true, ms: 0 };
  if (body === "") return bad("missing number");
  let total = 0;
  let pos = 0;
  while (pos < body.length) {
    SEGMENT_RE.lastIndex = pos;
    const m = SEGMENT_RE.exec(body);
    if (!m || m.index !== pos) {
      return bad(/^\d/.test(body.slice(pos)) || body[pos] === "." ? "missing unit (use ns, us, ms, s, m or h)" : `unexpected "${body.slice(pos)}"`);
    }
    const [, whole, frac, unit] = m;
    if (whole === "" && (frac === undefined || frac === "")) return bad("missing number before unit");
    const unitMs = UNIT_MS[unit];
    if (unitMs === undefined) return bad(`unknown unit "${unit}" (use ns, us, ms, s, m or h)`);
    const value = Number(`${whole || "0"}.${frac || "0"}`);
    total += value * unitMs;
    pos = SEGMENT_RE.lastIndex;
  }
  if (!Number.isFinite(total) || total > 9_223_372_036_854) return bad("out of range");
  return { ok: true, ms: sign * total };
}

/** Validates a session duration: Go syntax, ≥ 0, ≤ 8760h. Returns null when valid, else a message. */
export function validateSessionDuration(input: string): string | null {
  const r = parseGoDuration(input);
  if (!r.ok) return r.error;
  if (r.ms < 0) return "Session duration must not be negative";
  if (r.ms > MAX_SESSION_DURATION_MS) return "Session duration must be at most 8760h (one year)";
  return null;
}

const PARTS: [string, number][] = [
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
  ["ms", 1],
  ["us", 1e-3],
  ["ns", 1e-6],
];

/** Formats milliseconds as a compact Go duration: 5400000 → "1h30m", 0 → "0s", 1500 → "1s500ms". */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "0s";
  if (ms === 0) return "0s";
  const sign = ms < 0 ? "-" : "";
  let ns = Math.round(Math.abs(ms) * 1e6);
  if (ns === 0) return "0s";
  let out = "";
  for (const [unit, unitMs] of PARTS) {
    const unitNs = Math.round(unitMs * 1e6);
    const n = Math.floor(ns / unitNs);
    if (n > 0) {
      out += `${n}${unit}`;
      ns -= n * unitNs;
    }
  }
  return sign + out;
}

/** Canonical compact form of a Go duration string, or null when invalid ("90m" → "1h30m"). */
export function normalizeGoDuration(input: string): string | null {
  const r = parseGoDuration(input);
  return r.ok ? formatGoDuration(r.ms) : null;
}

/** Plain English for the UI: "24 hours", "1 hour 30 minutes", "no session (sign in on every request)". */
export function describeDuration(input: string): string {
  const r = parseGoDuration(input);
  if (!r.ok) return input;
  if (r.ms === 0) return "no session (sign in on every request)";
  const abs = Math.abs(r.ms);
  const words: [string, number][] = [
    ...(abs >= 172_800_000 && abs % 86_400_000 === 0 ? ([["day", 86_400_000]] as [string, number][]) : []),
    ["hour", 3_600_000],
    ["minute", 60_000],
    ["second", 1000],
    ["millisecond", 1],
  ];
  let rest = abs;
  const out: string[] = [];
  for (const [w, size] of words) {
    const n = Math.floor(rest / size + 1e-9);
    if (n > 0) {
      out.push(`${n} ${w}${n === 1 ? "" : "s"}`);
      rest -= n * size;
    }
  }
  return out.length ? out.join(" ") : "less than a millisecond";
}
