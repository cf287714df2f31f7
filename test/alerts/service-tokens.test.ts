/** Service-token expiry alerts: the certificate thresholds (30 / 14 days, expired), one condition per token, and the banner's words. */
import { describe, expect, it } from "vitest";
import { alertConditions, serviceTokenAlertConditions } from "@/lib/domain/alerts";
import { bannerSentences } from "@/components/alerts/alert-banner";

const DAY = 86_400_000;
const now = new Date("2026-03-01T12:00:00Z");
const token = (id: string, inMs: number) => ({ id, name: `token-${id}`, expiresAt: new Date(now.getTime() + inMs) });

describe("service-token alerts", () => {
  it("raise the most severe threshold only, named like the certificate ones", () => {
    const c = serviceTokenAlertConditions([token("a", 31 * DAY), token("b", 20 * DAY), token("c", 3 * DAY), token("d", 0)], now);
    expect(c.map((x) => [x.resourceId, x.kind])).toEqual([
      ["b", "service_token_expiry_30"],
      ["c", "service_token_expiry_14"],
      ["d", "service_token_expired"],
    ]);
    expect(c.every((x) => x.resourceType === "service_token")).toBe(true);
    expect(c[0]).toMatchObject({ service_token: { id: "b", name: "token-b", days_left: 20 }, message: 'Service token "token-b" expires within 30 days (on 2026-03-21). Refresh it to extend it.' });
    expect(c[2].message).toBe('Service token "token-d" expired on 2026-03-01. Refresh it, or create a new one.');
  });
  it("come with the certificate conditions and have their own banner sentences", () => {
    const conds = alertConditions([{ id: "cert", name: "ca", expiresOn: new Date(now.getTime() + 5 * DAY), crlNextUpdate: null }], now, [token("x", 10 * DAY), token("y", 25 * DAY), token("z", -DAY)]);
    expect(bannerSentences(conds)).toEqual(["1 certificate expires within 30 days", "1 service token has expired", "2 service tokens expire within 30 days"]);
  });
});
