import type { Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot } from "./helpers/certs";

async function accountId(page: Page): Promise<string> {
  await page.goto("/settings");
  return (await page.getByLabel("Account ID").textContent())!.trim();
}

async function createToken(page: Page, name: string, permission: "Read" | "Edit"): Promise<string> {
  await page.goto("/settings");
  const section = page.getByRole("region", { name: "API tokens" });
  await section.getByRole("button", { name: "Create API token" }).click();
  await section.getByRole("textbox", { name: "Token name" }).fill(name);
  const perm = section.getByRole("combobox", { name: "Permission" });
  await expect(perm.getByRole("option")).toHaveText(["Read", "Edit"]);
  await perm.selectOption({ label: permission });
  await section.getByRole("button", { name: "Create", exact: true }).click();
  const box = section.getByRole("textbox", { name: "New API token" });
  await expect(box).toHaveValue(/^pc_[0-9A-Za-z]{40}$/);
  await expect(box).toHaveAttribute("readonly", "");
  await expect(section.getByRole("button", { name: "Copy" })).toBeVisible();
  return box.inputValue();
}

const tokenRow = (page: Page, name: string) => page.getByRole("row").filter({ has: page.getByRole("cell", { name, exact: true }) });

test.describe("API tokens", () => {
  test("a token created in Settings is shown once, works with the API, and stops working once revoked", async ({ adminPage: page, request }) => {
    const name = uniqueName("ci-token");
    const secret = await createToken(page, name, "Edit");
    const acct = await accountId(page);
    // Shown once: after a reload only the row remains.
    await expect(page.getByRole("textbox", { name: "New API token" })).toHaveCount(0);
    await expect(tokenRow(page, name)).toContainText("Edit");
    const auth = { Authorization: `Bearer ${secret}` };

    // API → UI: a policy and a certificate created with the token appear in the console.
    const policyName = uniqueName("API policy");
    const created = await request.post(`/client/v4/accounts/${acct}/access/policies`, {
      headers: auth,
      data: { name: policyName, decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] },
    });
    expect(created.status()).toBe(201);
    const policy = (await created.json()).result;
    expect(policy).toMatchObject({ name: policyName, decision: "non_identity", reusable: true });
    await page.goto("/access-controls/policies");
    await expect(page.getByRole("row").filter({ hasText: policyName })).toContainText("Service Auth");

    const certName = uniqueName("API root");
    const cert = await request.post(`/client/v4/accounts/${acct}/access/certificates`, {
      headers: auth,
      data: { name: certName, certificate: generateRoot(`/CN=${certName}`).pem, associated_hostnames: [`${certName.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.example.com`] },
    });
    expect(cert.status()).toBe(201);
    expect(JSON.stringify(await cert.json())).not.toContain("BEGIN CERTIFICATE");
    await page.goto("/access-controls/service-credentials/mutual-tls");
    await expect(page.getByRole("row").filter({ hasText: certName })).toBeVisible();

    // UI → API: a policy saved in the console is returned by the API.
    const uiPolicy = uniqueName("UI policy");
    await page.goto("/access-controls/policies");
    await page.getByRole("button", { name: "Add a policy" }).click();
    await page.getByLabel("Policy name").fill(uiPolicy);
    await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Allow" });
    await page.getByRole("button", { name: "Add include" }).click();
    await page.getByRole("group", { name: "Include rule 1" }).getByRole("combobox", { name: "Selector" }).selectOption({ label: "Everyone" });
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("row").filter({ hasText: uiPolicy })).toBeVisible();
    const listed = await request.get(`/client/v4/accounts/${acct}/access/policies?per_page=1000`, { headers: auth });
    expect(listed.status()).toBe(200);
    const body = await listed.json();
    expect(body.result.map((p: { name: string }) => p.name)).toContain(uiPolicy);
    expect(body.result_info.total_count).toBeGreaterThanOrEqual(2);

    // Attributed in the audit log.
    await page.goto("/audit-log");
    await expect(page.getByRole("cell", { name: new RegExp(`token:${name}`) }).first()).toBeVisible();

    // Revoke (with confirmation) → 401.
    await page.goto("/settings");
    await tokenRow(page, name).getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke API token" });
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(tokenRow(page, name)).toContainText("Revoked");
    const after = await request.get(`/client/v4/accounts/${acct}/access/policies`, { headers: auth });
    expect(after.status()).toBe(401);
    expect((await after.json()).success).toBe(false);
  });

  test("a Read token can read but not write", async ({ adminPage: page, request }) => {
    const secret = await createToken(page, uniqueName("read-token"), "Read");
    const acct = await accountId(page);
    const headers = { Authorization: `Bearer ${secret}` };
    expect((await request.get(`/client/v4/accounts/${acct}/access/apps`, { headers })).status()).toBe(200);
    const denied = await request.post(`/client/v4/accounts/${acct}/access/policies`, {
      headers,
      data: { name: uniqueName("nope"), decision: "allow", include: [{ everyone: {} }] },
    });
    expect(denied.status()).toBe(403);
    const verify = await request.get("/client/v4/user/tokens/verify", { headers });
    expect((await verify.json()).result.status).toBe("active");
  });

  test("viewers see the token list but cannot create or revoke", async ({ viewerPage: page }) => {
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "API tokens" });
    await expect(section.getByRole("heading", { name: "API tokens" })).toBeVisible();
    await expect(section.getByRole("button", { name: "Create API token" })).toHaveCount(0);
    await expect(section.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  });
});
