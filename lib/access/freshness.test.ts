import { describe, expect, it } from "vitest";
import { nextRefreshAt } from "../domain/crls/refresh";
import { trustKeyOf } from "./compile";
import { applyOcsp, ocspError } from "./freshness";
import type { CertVerdict } from "./types";

const valid: CertVerdict = { presented: true, valid: true, commonName: "c", serial: "01", sha256: "AA", issuersPem: ["pem"] };
const down = { status: "unavailable" as const, source: "http://127.0.0.1:1", detail: "Connection refused" };

describe("revocation freshness rules", () => {
  it("OCSP: revoked refuses whatever the mode; no answer follows block / allow; good keeps the verdict", () => {
    expect(applyOcsp(valid, { status: "revoked", source: "s" }, "allow")).toMatchObject({ valid: false, reason: expect.stringMatching(/^certificate revoked \(OCSP, s/), issuersPem: [] });
    expect(applyOcsp(valid, down, "block")).toMatchObject({ valid: false, reason: expect.stringMatching(/^OCSP status unavailable/) });
    expect(applyOcsp(valid, down, "allow")).toMatchObject({ valid: true, alert: expect.stringMatching(/^Allowed without an OCSP answer/) });
    expect(applyOcsp(valid, { status: "good", source: "s" }, "block")).toBe(valid);
    expect(ocspError(down, "allow")).toBeNull();
    expect(ocspError({ status: "unknown", source: "s" }, "block")?.message).toBe("OCSP status unknown");
  });

  it("hostnames with other revocation choices get another trust key (the default adds nothing)", () => {
    const base = trustKeyOf(["A"], ["C"]);
    expect(trustKeyOf(["A"], ["C"], { staleMode: "block", ocsp: false })).toBe(base);
    expect(trustKeyOf(["A"], ["C"], { staleMode: "allow", ocsp: false })).not.toBe(base);
    expect(trustKeyOf(["A"], ["C"], { staleMode: "block", ocsp: true })).not.toBe(base);
  });

  it("CRL refresh at half the time to nextUpdate, at least hourly, at most daily", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const h = 3_600_000;
    expect(nextRefreshAt(new Date(now.getTime() + 10 * h), now).getTime() - now.getTime()).toBe(5 * h);
    expect(nextRefreshAt(new Date(now.getTime() + 30 * 24 * h), now).getTime() - now.getTime()).toBe(24 * h);
    expect(nextRefreshAt(new Date(now.getTime() + h), now).getTime() - now.getTime()).toBe(h);
    expect(nextRefreshAt(new Date(now.getTime() - h), now).getTime() - now.getTime()).toBe(h);
    expect(nextRefreshAt(null, now).getTime() - now.getTime()).toBe(24 * h);
  });
});
