import { describe, expect, it } from "vitest";
import { redact } from "./record";

describe("audit redaction", () => {
  it("drops secrets and PEM text but keeps Valid Certificate rules", () => {
    const out = redact({
      name: "p",
      password: "hunter2-hunter2",
      tokenHash: "abc",
      certificate: "-----BEGIN CERTIFICATE-----\nMII…",
      include: [{ certificate: {} }, { common_name: { common_name: "John Doe" } }],
      at: new Date("2026-01-01T00:00:00Z"),
    });
    expect(out).toEqual({
      name: "p",
      include: [{ certificate: {} }, { common_name: { common_name: "John Doe" } }],
      at: "2026-01-01T00:00:00.000Z",
    });
  });
});
