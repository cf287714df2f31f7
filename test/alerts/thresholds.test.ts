import { describe, expect, it } from "vitest";
import { alertConditions, daysLeft, expiryKind, type CertificateFacts } from "@/lib/domain/alerts";
import { retryDelayMs } from "@/lib/domain/alerts/notifications";
import { bannerSentences } from "@/components/alerts/alert-banner";

const DAY = 86_400_000;
const now = new Date("2026-03-01T12:00:00Z");
const at = (ms: number) => new Date(now.getTime() + ms);
const cert = (id: string, expiresInMs: number, crlNextUpdate: Date | null = null): CertificateFacts => ({
  id,
  name: `ca-${id}`,
  expiresOn: at(expiresInMs),
  crlNextUpdate,
});

describe("expiry thresholds", () => {
  it("raises nothing above 30 days", () => {
    expect(expiryKind(at(30 * DAY + 1), now)).toBeNull();
    expect(expiryKind(at(365 * DAY), now)).toBeNull();
  });
  it("raises cert_expiry_30 from exactly 30 days down to just above 14", () => {
    expect(expiryKind(at(30 * DAY), now)).toBe("cert_expiry_30");
    expect(expiryKind(at(14 * DAY + 1), now)).toBe("cert_expiry_30");
  });
  it("raises cert_expiry_14 from exactly 14 days until expiry", () => {
    expect(expiryKind(at(14 * DAY), now)).toBe("cert_expiry_14");
    expect(expiryKind(at(10 * DAY), now)).toBe("cert_expiry_14");
    expect(expiryKind(at(1), now)).toBe("cert_expiry_14");
  });
  it("raises cert_expired at and after notAfter", () => {
    expect(expiryKind(at(0), now)).toBe("cert_expired");
    expect(expiryKind(at(-5 * DAY), now)).toBe("cert_expired");
  });
  it("counts whole days left, rounding up", () => {
    expect(daysLeft(at(10 * DAY), now)).toBe(10);
    expect(daysLeft(at(9 * DAY + 1), now)).toBe(10);
    expect(daysLeft(at(-DAY), now)).toBe(-1);
  });
});

describe("alertConditions", () => {
  it("raises only the most severe expiry threshold per certificate", () => {
    const kinds = alertConditions([cert("a", 10 * DAY)], now).map((c) => c.kind);
    expect(kinds).toEqual(["cert_expiry_14"]);
  });
  it("describes the certificate with days left and a message naming it", () => {
    const [c] = alertConditions([cert("b", 20 * DAY)], now);
    expect(c).toMatchObject({ kind: "cert_expiry_30", resourceType: "mtls_certificate", resourceId: "b" });
    expect(c.certificate).toEqual({ id: "b", name: "ca-b", expires_on: at(20 * DAY).toISOString(), days_left: 20 });
    expect(c.message).toBe('Certificate "ca-b" expires within 30 days (on 2026-03-21). Upload a renewed certificate.');
  });
  it("raises crl_stale only when the CRL is past its next update", () => {
    const conds = alertConditions(
      [cert("fresh", 400 * DAY, at(DAY)), cert("stale", 400 * DAY, at(-1)), cert("none", 400 * DAY, null)],
      now,
    );
    expect(conds.map((c) => `${c.kind}:${c.resourceId}`)).toEqual(["crl_stale:stale"]);
  });
  it("raises expiry and CRL conditions independently", () => {
    const kinds = alertConditions([cert("x", -DAY, at(-DAY))], now).map((c) => c.kind);
    expect(kinds).toEqual(["cert_expired", "crl_stale"]);
  });
});

describe("retry backoff", () => {
  it("doubles from one minute and caps at one hour", () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => retryDelayMs(n) / 60_000)).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });
});

describe("banner wording", () => {
  it("counts certificates, not alerts", () => {
    const conds = alertConditions([cert("a", 10 * DAY), cert("b", 25 * DAY), cert("c", -DAY, at(-DAY)), cert("d", 400 * DAY)], now);
    expect(bannerSentences(conds)).toEqual(["1 certificate has expired", "2 certificates expire within 30 days", "1 CRL is out of date"]);
    expect(bannerSentences([])).toEqual([]);
  });
});
