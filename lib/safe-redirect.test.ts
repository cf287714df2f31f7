import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-redirect";

describe("safeCallbackPath", () => {
  it.each([
    ["/settings", "/settings"],
    ["/audit-log?page=2#x", "/audit-log?page=2#x"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/steal", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok\u0000", "/"],
    [undefined, "/"],
    [["/a"], "/"],
  ])("%j → %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });
});
