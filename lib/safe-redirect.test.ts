import { describe, expect, it } from "vitest";
import { safeCallbackPath } from "./safe-redirect";

describe("safeCallbackPath", () => {
  it.each([
    ["/settings", "/settings"],
    ["/audit-log?page=2#x", "/audit-log?page=2#x"],
    ["/access-controls/./policies/../applications", "/access-controls/applications"],
    ["/audit-log?callbackUrl=//evil.example", "/audit-log?callbackUrl=//evil.example"],
    ["//evil.example", "/"],
    ["/\\evil.example", "/"],
    ["https://evil.example/steal", "/"],
    ["javascript:alert(1)", "/"],
    ["/ok\u0000", "/"],
    [undefined, "/"],
    [["/a"], "/"],
    // Normalisation that creates "//" (finding: /login?callbackUrl=/.//evil.example/phish ended off-site).
    ["/.//evil.example/phish", "/"],
    ["/%2e//evil.example", "/"],
    ["/%2E%2E//evil.example", "/"],
    ["/..//evil.example", "/"],
    ["/a/..//evil.example", "/"],
    ["/./\\evil.example", "/"],
    ["/.\\/evil.example", "/"],
    ["/x\\..\\/evil.example", "/"],
    ["/\t/evil.example", "/"],
    ["/\n/evil.example", "/"],
    ["/.\r//evil.example", "/"],
    ["/%2f%2fevil.example", "/"],
    ["/%2F/evil.example", "/"],
    ["/%5c/evil.example", "/"],
    ["/%5C%5Cevil.example", "/"],
    ["/%E0%A4%A", "/"],
  ])("%j → %s", (input, expected) => {
    expect(safeCallbackPath(input)).toBe(expected);
  });

  it("never returns something a browser resolves to another origin", () => {
    const tricks = ["/.//x", "/%2e//x", "/..//x", "/.\\/x", "/%2e%2e/%2fx", "/./%5cx", "/.//x?a=1#b", "/%09/x", "/ /x"];
    for (const t of tricks) {
      const out = safeCallbackPath(t);
      expect(new URL(out, "https://console.example").origin, `${t} → ${out}`).toBe("https://console.example");
      expect(out, t).not.toMatch(/^\/[/\\]/);
    }
  });
});
