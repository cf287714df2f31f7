import { afterEach, describe, expect, it, vi } from "vitest";
import { clientIp } from "./request-ip";

afterEach(() => vi.unstubAllEnvs());

describe("clientIp", () => {
  it("without PORTCULLIS_TRUST_PROXY: the closest hop only, never X-Real-IP", () => {
    vi.stubEnv("PORTCULLIS_TRUST_PROXY", "");
    expect(clientIp(new Headers({ "x-forwarded-for": "127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientIp(new Headers({ "x-forwarded-for": "203.0.113.9, ::ffff:127.0.0.1" }))).toBe("127.0.0.1");
    expect(clientIp(new Headers({ "x-real-ip": "203.0.113.9" }))).toBe("unknown");
    expect(clientIp({ "x-forwarded-for": ["203.0.113.9", "10.0.0.2"], "x-real-ip": "198.51.100.1" })).toBe("10.0.0.2");
  });
  it("with PORTCULLIS_TRUST_PROXY: the left-most X-Forwarded-For entry, else X-Real-IP", () => {
    vi.stubEnv("PORTCULLIS_TRUST_PROXY", "1");
    expect(clientIp(new Headers({ "x-forwarded-for": "198.51.100.7, 10.0.0.1" }))).toBe("198.51.100.7");
    expect(clientIp(new Headers({ "x-real-ip": "198.51.100.8" }))).toBe("198.51.100.8");
    expect(clientIp(new Headers())).toBe("unknown");
  });
});
