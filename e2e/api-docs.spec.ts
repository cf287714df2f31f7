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

  test("the reference lists each operation with its parameters, request body, responses and a curl example", async ({ adminPage: page }) => {
    await page.goto("/api-docs");
    const origin = new URL(page.url()).origin;
    const accountId = (await page.locator("dt", { hasText: "Account ID" }).locator("xpath=following-sibling::dd[1]").textContent())!.trim();
    const reference = page.getByRole("region", { name: "Interactive reference" });
    const contents = reference.getByRole("navigation", { name: "API reference contents" });
    await expect(contents.getByRole("link", { name: "Mutual TLS", exact: true })).toBeVisible();

    // Test mTLS: reached from the contents, served under /api/v1, its input documented field by field.
    await contents.getByRole("link", { name: /Test a client certificate against a URL/ }).click();
    await expect(page).toHaveURL(/#op-portcullis-test-mtls$/);
    const testMtls = reference.getByRole("article", { name: /^Test a client certificate against a URL/ });
    await expect(testMtls).toBeInViewport();
    await expect(testMtls.getByText("/api/v1/test-mtls", { exact: true })).toBeVisible();
    await expect(testMtls.getByText("No parameters.")).toBeVisible();
    const body = testMtls.getByRole("table", { name: "Request body fields" });
    // A client with no certificate is tested with a service token or an email: one of the three is required.
    await expect(body.getByRole("row", { name: /^certificate string one of certificate, service_token_id, email PEM: the client certificate/ })).toBeVisible();
    await expect(body.getByRole("row", { name: /^email string one of certificate, service_token_id, email/ })).toBeVisible();
    await expect(body.getByRole("row", { name: /^url string optional The address the client requests/ })).toBeVisible();
    await expect(body.getByRole("row", { name: /^ip string optional/ })).toBeVisible();
    const responses = testMtls.getByRole("table", { name: "Responses" });
    await expect(responses.getByRole("row", { name: /^400 Invalid input, one error per field/ })).toBeVisible();
    await expect(responses.getByRole("row", { name: /^413 Request body over 1 MiB Failure$/ })).toBeVisible();
    await expect(testMtls.getByText(`curl -s -X POST "${origin}/api/v1/test-mtls"`, { exact: false })).toBeVisible();
    await expect(testMtls.getByText('-H "Authorization: Bearer $PORTCULLIS_API_TOKEN"', { exact: false })).toBeVisible();
    await expect(testMtls.getByRole("button", { name: "Copy POST /api/v1/test-mtls (curl)" })).toBeVisible();

    // A referenced schema is a link to its entry; an enum lists its values.
    const result = testMtls.getByRole("table", { name: "Response 200 fields" }).getByRole("row", { name: /^result TestMtlsResult required/ });
    await result.getByRole("link", { name: "TestMtlsResult" }).click();
    await expect(page).toHaveURL(/#schema-testmtlsresult$/);
    const resultSchema = reference.getByRole("article", { name: "TestMtlsResult", exact: true });
    await expect(resultSchema).toBeInViewport();
    await expect(
      resultSchema.getByRole("table", { name: "Fields of TestMtlsResult" }).getByRole("row", { name: /^access_decision enum \(string\) required .*Allowed: "allow", "block", "bypass", "service_auth", "no_application", "misdirected"/ }),
    ).toBeVisible();

    // An operation with path parameters: each listed, and the curl example fills in this instance's account id.
    const getApp = reference.getByRole("article", { name: "Get an application (by id or aud)" });
    const params = getApp.getByRole("table", { name: "Parameters" });
    await expect(params.getByRole("row", { name: /^account_id path string required This instance's account id/ })).toBeVisible();
    await expect(params.getByRole("row", { name: /^app_id path string \(uuid\) required/ })).toBeVisible();
    await expect(getApp.getByText(`curl -s "${origin}/client/v4/accounts/${accountId}/access/apps/$APP_ID"`, { exact: false })).toBeVisible();
    // oneOf: a policy link is a UUID or an {id, precedence} object.
    const addApp = reference.getByRole("article", { name: "Add a self-hosted application" });
    await expect(
      addApp.getByRole("table", { name: "Request body fields" }).getByRole("row", { name: /^policies array of one of: string \(uuid\) · object optional/ }),
    ).toBeVisible();
    await expect(addApp.getByRole("table", { name: "Request body fields" }).getByRole("row", { name: /^policies\[\]\.id string \(uuid\) required In option 2:/ })).toBeVisible();
  });

  test("the OpenAPI document is served as JSON", async ({ request }) => {
    const res = await request.get("/client/v4/openapi.json");
    expect(res.headers()["content-type"]).toMatch(/application\/json/);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.paths)).toContain("/accounts/{account_id}/access/certificates/settings");
  });
});
