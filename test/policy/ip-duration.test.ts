import { describe, expect, it } from "vitest";
import {
  cidrContains,
  describeDuration,
  formatGoDuration,
  formatIp,
  normalizeGoDuration,
  parseCidr,
  parseGoDuration,
  parseIp,
  validateSessionDuration,
  type CompiledCidr,
} from "@/lib/policy";

function cidr(s: string): CompiledCidr {
  const r = parseCidr(s);
  if (!r.ok) throw new Error(r.error);
  return r.cidr;
}
function contains(range: string, ip: string): boolean {
  const p = parseIp(ip);
  if (!p) throw new Error(`bad ip ${ip}`);
  return cidrContains(cidr(range), p);
}

describe("parseIp / formatIp", () => {
  it.each([
    ["0.0.0.0", "0.0.0.0"],
    ["255.255.255.255", "255.255.255.255"],
    ["10.1.2.3", "10.1.2.3"],
    ["::", "::"],
    ["::1", "::1"],
    ["2001:DB8:0:0:0:0:0:1", "2001:db8::1"],
    ["2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"],
    ["fe80::1:2", "fe80::1:2"],
    ["1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"],
    ["1:0:3:4:5:6:7:8", "1:0:3:4:5:6:7:8"],
    ["::ffff:10.0.0.1", "::ffff:a00:1"],
    ["64:ff9b::192.0.2.33", "64:ff9b::c000:221"],
  ])("%s → %s", (input, out) => {
    const p = parseIp(input);
    expect(p).not.toBeNull();
    expect(formatIp(p!)).toBe(out);
  });
  it.each(["", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.-1", "a.b.c.d", ":::", "1::2::3", "1:2:3:4:5:6:7:8:9", "12345::", "fe80::1%eth0", "::1.2.3", "1:2:3:4:5:6:7::8:9", " 1 .2.3.4", "g::"])(
    "refuses %j",
    (input) => expect(parseIp(input)).toBeNull(),
  );
});

describe("parseCidr", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0/8"],
    ["10.0.0.1", "10.0.0.1/32"],
    ["0.0.0.0/0", "0.0.0.0/0"],
    ["192.168.1.128/25", "192.168.1.128/25"],
    ["2001:DB8::/32", "2001:db8::/32"],
    ["2001:db8::1", "2001:db8::1/128"],
    ["::/0", "::/0"],
    [" 10.0.0.0/8 ", "10.0.0.0/8"],
  ])("%s → %s", (input, text) => expect(cidr(input).text).toBe(text));
  it.each([
    ["", "IP range must not be empty"],
    ["10.0.0.0/33", "IPv4 prefixes are 0–32"],
    ["2001:db8::/129", "IPv6 prefixes are 0–128"],
    ["10.0.0.0/", "invalid prefix length"],
    ["10.0.0.0/08", "invalid prefix length"],
    ["10.0.0.0/-1", "invalid prefix length"],
    ["10.1.2.3/8", "has bits set beyond the /8 prefix; use 10.0.0.0/8"],
    ["2001:db8::1/32", "use 2001:db8::/32"],
    ["example.com", "is not a valid IPv4 or IPv6 address or CIDR range"],
    ["10.0.0.0/8/8", "invalid prefix length"],
  ])("refuses %j with %s", (input, msg) => {
    const r = parseCidr(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });
});

describe("cidrContains edges", () => {
  it.each([
    ["10.0.0.0/8", "10.0.0.0", true],
    ["10.0.0.0/8", "10.255.255.255", true],
    ["10.0.0.0/8", "11.0.0.0", false],
    ["10.0.0.0/8", "9.255.255.255", false],
    ["192.168.1.128/25", "192.168.1.127", false],
    ["192.168.1.128/25", "192.168.1.128", true],
    ["192.168.1.128/25", "192.168.1.255", true],
    ["10.0.0.1/32", "10.0.0.1", true],
    ["10.0.0.1/32", "10.0.0.2", false],
    ["0.0.0.0/0", "255.255.255.255", true],
    ["128.0.0.0/1", "127.255.255.255", false],
    ["128.0.0.0/1", "128.0.0.0", true],
    ["10.0.0.0/8", "::ffff:10.1.2.3", true],
    ["10.0.0.0/8", "::ffff:11.1.2.3", false],
    ["10.0.0.0/8", "2001:db8::1", false],
    ["2001:db8::/32", "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff", true],
    ["2001:db8::/32", "2001:db9::", false],
    ["2001:db8::/32", "2001:db7:ffff::", false],
    ["2001:db8::/33", "2001:db8:7fff::1", true],
    ["2001:db8::/33", "2001:db8:8000::", false],
    ["::/0", "::1", true],
    ["::/0", "10.0.0.1", false],
    ["::1/128", "::1", true],
    ["::1/128", "::2", false],
    ["fe80::/10", "febf::1", true],
    ["fe80::/10", "fec0::1", false],
    ["2001:db8::/96", "2001:db8::ffff:ffff", true],
    ["2001:db8::/97", "2001:db8::8000:0", false],
  ])("%s contains %s: %s", (range, ip, expected) => expect(contains(range, ip)).toBe(expected));
});

describe("Go durations", () => {
  it.each([
    ["0", 0],
    ["0s", 0],
    ["300ms", 300],
    ["30m", 1_800_000],
    ["24h", 86_400_000],
    ["1h30m", 5_400_000],
    ["2h45m", 9_900_000],
    ["1.5h", 5_400_000],
    [".5s", 500],
    ["1.s", 1000],
    ["1000us", 1],
    ["1000µs", 1],
    ["1000μs", 1],
    ["1000000ns", 1],
    ["1h1m1s1ms", 3_661_001],
    ["-1h", -3_600_000],
    ["+5m", 300_000],
    ["  24h  ", 86_400_000],
  ])("%j = %d ms", (input, ms) => expect(parseGoDuration(input)).toEqual({ ok: true, ms }));
  it.each([
    ["", "must not be empty"],
    ["24", "missing unit"],
    ["1h30", "missing unit"],
    ["h", "missing number before unit"],
    [".h", "missing number before unit"],
    ["5x", `unknown unit "x"`],
    ["1d", `unknown unit "d"`],
    ["1 h", "missing unit"], ["1h 5m", "unexpected"],
    ["-", "missing number"],
    ["1h-5m", "unexpected"],
  ])("refuses %j (%s)", (input, msg) => {
    const r = parseGoDuration(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toContain(msg);
  });
  it("validates session durations: 0s allowed, negative and > 8760h refused", () => {
    expect(validateSessionDuration("0s")).toBeNull();
    expect(validateSessionDuration("24h")).toBeNull();
    expect(validateSessionDuration("8760h")).toBeNull();
    expect(validateSessionDuration("8761h")).toBe("Session duration must be at most 8760h (one year)");
    expect(validateSessionDuration("-1s")).toBe("Session duration must not be negative");
    expect(validateSessionDuration("forever")).toContain(`"forever" is not a valid duration`);
  });
  it.each([
    [0, "0s"],
    [5_400_000, "1h30m"],
    [86_400_000, "24h"],
    [1500, "1s500ms"],
    [0.0015, "1us500ns"],
    [-60_000, "-1m"],
  ])("formats %d ms as %s", (ms, s) => expect(formatGoDuration(ms)).toBe(s));
  it("normalises and describes", () => {
    expect(normalizeGoDuration("90m")).toBe("1h30m");
    expect(normalizeGoDuration("nope")).toBeNull();
    expect(describeDuration("24h")).toBe("24 hours");
    expect(describeDuration("1h30m")).toBe("1 hour 30 minutes");
    expect(describeDuration("168h")).toBe("7 days");
    expect(describeDuration("0s")).toBe("no session (sign in on every request)");
  });
});
