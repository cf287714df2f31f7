/** Error envelopes never echo a huge input back (found by the REST API fuzz test, test/fuzz/api-bodies.ts: a 1 MiB domain came back in the 400). */
import { describe, expect, it } from "vitest";
import { failure, MAX_MESSAGE_CHARS, MAX_QUOTED_CHARS, shortenMessage } from "./envelope";

describe("error messages quoting what was sent", () => {
  it("shorten a long quoted value and keep the explanation after it", () => {
    const m = shortenMessage(`"${"x".repeat(100_000)}" is not a valid hostname`);
    expect(m).toBe(`"${"x".repeat(MAX_QUOTED_CHARS)}…" is not a valid hostname`);
  });

  it("leave short messages and short quoted values as they are", () => {
    const m = 'Policy 2: "abc" is not a policy ID (UUID)';
    expect(shortenMessage(m)).toBe(m);
  });

  it("cap any message, quoted or not", () => {
    expect(shortenMessage("y".repeat(50_000))).toHaveLength(MAX_MESSAGE_CHARS + 1);
  });

  it("apply to every failure envelope", async () => {
    const res = failure(400, [{ code: 12130, message: `access.api.error.invalid_request: "${"é".repeat(500_000)}" is not a valid hostname` }]);
    const text = await res.text();
    expect(text.length).toBeLessThan(1000);
    expect(JSON.parse(text).errors[0].message).toMatch(/…" is not a valid hostname$/);
  });
});
