import { expect, test } from "./fixtures";

test.describe("API page", () => {
  test("shows base URL, account id, copyable examples and the interactive reference under our CSP", async ({ adminPage: page }) => {
    const violations: string[] = [];
    page.on("console", (m) => {
      if (/Content Security Policy|Refused to (load|execute|apply)/i.test(m.text())) violations.push(m.text());
    });
    await page.goto("/settings");
    const accountId = (await page.getByLabel("Account ID").textContent())!.trim();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "API", exact: true }).click();
    await expect(page.getByRole("heading", { level: 1, name: "API" })).toBeVisible();
    await expect(page.getByText(`/client/v4/accounts/${accountId}/access/certificates?page=1`)).toBeVisible();
    await expect(page.getByRole("button", { name: "Copy Official cloudflare SDK (TypeScript)" })).toBeVisible();
    await expect(page.getByRole("cell", { name: "/accounts/{account_id}/access/apps/{app_id}" }).first()).toBeVisible();
    const reference = page.getByRole("region", { name: "Interactive reference" });
    await expect(reference.getByRole("heading", { name: "Portcullis API" })).toBeVisible({ timeout: 30_000 });
    await expect(reference.getByText("mTLS CA certificates and per-hostname settings").first()).toBeVisible();
    expect(violations).toEqual([]);
  });

  test("the OpenAPI document is served as JSON", async ({ request }) => {
    const res = await request.get("/client/v4/openapi.json");
    expect(res.headers()["content-type"]).toMatch(/application\/json/);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/accounts/{account_id}/access/certificates/settings");
  });
});
