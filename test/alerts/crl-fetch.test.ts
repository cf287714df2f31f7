import { describe, expect, it } from "vitest";
import { alertConditions } from "@/lib/domain/alerts";
import { bannerSentences } from "@/components/alerts/alert-banner";

const now = new Date("2026-03-01T12:00:00Z");
const far = new Date("2030-01-01T00:00:00Z");

describe("CRL download failed", () => {
  it("holds while the last automatic download failed, with the reason, and is counted in the banner", () => {
    const conds = alertConditions(
      [
        { id: "a", name: "ca-a", expiresOn: far, crlNextUpdate: null, crlFetchError: "HTTP 500 Internal Server Error from pki.example.com" },
        { id: "b", name: "ca-b", expiresOn: far, crlNextUpdate: null, crlFetchError: null },
      ],
      now,
    );
    expect(conds.map((c) => `${c.kind}:${c.resourceId}`)).toEqual(["crl_fetch_failed:a"]);
    expect(conds[0].message).toBe('Downloading the CRL of certificate "ca-a" failed: HTTP 500 Internal Server Error from pki.example.com. The last good CRL is kept.');
    expect(bannerSentences(conds)).toEqual(["1 CRL download failed"]);
  });
});
