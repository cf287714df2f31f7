/**
 * Access controls → Service credentials → Service Tokens: create (the Client Secret shown once), a Service Auth
 * policy naming the token, and the real gateway answering its headers; Refresh, Rotate (at once, and with a grace
 * period during which both secrets work), Delete; viewers read only.
 */
import { execFileSync } from "node:child_process";
import { expect, test, uniqueName } from "./fixtures";
import { addApplication, addPolicy } from "./helpers/console";
import { generateRoot } from "./helpers/certs";
import { gatewayPort } from "./helpers/gateway";

const PAGE = "/access-controls/service-credentials/service-tokens";

/** Status of one request through the gateway with these extra headers (no client certificate). */
function gatewayStatus(host: string, headers: string[]): number {
  const out = execFileSync(
    "curl",
    ["-s", "-k", "--max-time", "20", "--resolve", `${host}:${gatewayPort}:127.0.0.1`, "-o", "/dev/null", "-w", "%{http_code}", "-H", "Accept: application/json",
      ...headers.flatMap((h) => ["-H", h]), `https://${host}:${gatewayPort}/`],
    { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  return Number(out.trim());
}
const creds = (id: string, secret: string) => [`CF-Access-Client-Id: ${id}`, `CF-Access-Client-Secret: ${secret}`];
/** Allowed requests are proxied; these applications have no origin, so allowed means 502 (Bad Gateway). */
const ALLOWED = 502;

test.describe("service tokens", () => {
  test("create shows the secret once; the gateway lets the token in; refresh, rotate (at once / with a grace period) and delete", async ({ adminPage: page }) => {
    test.setTimeout(180_000);
    await page.goto("/");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Service Tokens", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
    await expect(page.getByRole("heading", { level: 1, name: "Service Tokens" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Service Tokens", exact: true })).toHaveAttribute("aria-current", "page");

    const name = uniqueName("deploy bot");
    await page.getByRole("button", { name: "Create Service Token" }).click();
    await page.getByRole("textbox", { name: "Service token name" }).fill(name);
    const duration = page.getByRole("combobox", { name: "Service Token Duration" });
    await expect(duration.locator("option:checked")).toHaveText("1 year");
    await expect(duration.getByRole("option")).toHaveText(["1 year", "2 years", "5 years", "10 years", "Non-expiring"]);
    await duration.selectOption({ label: "2 years" });
    await page.getByRole("button", { name: "Generate token" }).click();

    const idBox = page.getByRole("textbox", { name: "Client ID" });
    const secretBox = page.getByRole("textbox", { name: "Client Secret" });
    await expect(idBox).toHaveValue(/^[0-9a-f]{32}\.access$/);
    await expect(secretBox).toHaveValue(/^[0-9a-f]{64}$/);
    await expect(secretBox).toHaveAttribute("readonly", "");
    await expect(page.getByRole("group", { name: "Client Secret" }).getByRole("button", { name: "Copy" })).toBeVisible();
    await expect(page.getByRole("group", { name: "Client ID" }).getByRole("button", { name: "Copy" })).toBeVisible();
    const clientId = await idBox.inputValue();
    const secret = await secretBox.inputValue();

    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(clientId);
    await expect(row.getByText("Active")).toBeVisible();
    const tokenId = (await row.locator("code").innerText()).trim();
    expect(tokenId).toMatch(/^[0-9a-f-]{36}$/);
    // Shown once: gone after a reload.
    await page.reload();
    await expect(page.getByRole("textbox", { name: "Client Secret" })).toHaveCount(0);
    await expect(row).toBeVisible();

    // A Service Auth policy naming the token, on an application; the real gateway.
    const host = `${uniqueName("svc")}.e2e.example.com`;
    const policy = uniqueName("deploy bot only");
    await addPolicy(page, policy, "Service Auth", "Service Token", tokenId);
    await addApplication(page, uniqueName("Deploy API"), host, policy);
    await expect.poll(() => gatewayStatus(host, creds(clientId, secret)), { timeout: 10_000 }).toBe(ALLOWED);
    expect(gatewayStatus(host, creds(clientId, "0".repeat(64)))).toBe(401);
    expect(gatewayStatus(host, [])).toBe(403);

    // Test mTLS "as if presented": the same decision, and the step that says which token.
    await page.goto("/access-controls/test");
    await page.getByRole("textbox", { name: "URL" }).fill(`https://${host}/`);
    await page.getByRole("textbox", { name: "Client certificate" }).fill(generateRoot("/CN=svc-e2e client").pem);
    await page.getByRole("textbox", { name: "Service token" }).fill(clientId);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect(result).toContainText("Service Auth: passed to the origin");
    await expect(result.getByRole("list", { name: "Evaluation steps" }).getByRole("listitem").filter({ hasText: `Service token: ${name}` })).toContainText("pass");

    // Refresh: valid for its duration again.
    await page.goto(PAGE);
    await row.getByRole("button", { name: "Refresh" }).click();
    await expect(row.getByRole("status")).toHaveText(new RegExp(`^Service token ${name} refreshed: valid until \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC\\.$`));

    // Rotate, revoking the old secret at once (the default).
    await row.getByRole("button", { name: "Rotate" }).click();
    let dialog = page.getByRole("dialog", { name: "Rotate secret" });
    await expect(dialog.getByRole("combobox", { name: "Keep the current secret valid for" }).locator("option:checked")).toHaveText("Revoke immediately");
    await dialog.getByRole("button", { name: "Rotate" }).click();
    const rotatedBox = dialog.getByRole("textbox", { name: "Client Secret" });
    await expect(rotatedBox).toHaveValue(/^[0-9a-f]{64}$/);
    const secret2 = await rotatedBox.inputValue();
    expect(secret2).not.toBe(secret);
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(dialog).toHaveCount(0);
    await expect.poll(() => gatewayStatus(host, creds(clientId, secret)), { timeout: 5_000 }).toBe(401);
    expect(gatewayStatus(host, creds(clientId, secret2))).toBe(ALLOWED);

    // Rotate with a grace period: both secrets work meanwhile.
    await row.getByRole("button", { name: "Rotate" }).click();
    dialog = page.getByRole("dialog", { name: "Rotate secret" });
    await dialog.getByRole("combobox", { name: "Keep the current secret valid for" }).selectOption({ label: "1 hour" });
    await dialog.getByRole("button", { name: "Rotate" }).click();
    await expect(dialog.getByRole("status").first()).toContainText("The previous one keeps working until");
    const secret3 = await dialog.getByRole("textbox", { name: "Client Secret" }).inputValue();
    await dialog.getByRole("button", { name: "Close" }).click();
    await expect(row).toContainText("Previous secret works until");
    await expect.poll(() => gatewayStatus(host, creds(clientId, secret3)), { timeout: 5_000 }).toBe(ALLOWED);
    expect(gatewayStatus(host, creds(clientId, secret2))).toBe(ALLOWED);

    // Delete: the row goes, the gateway refuses the token.
    await row.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete service token" });
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(row).toHaveCount(0);
    await expect.poll(() => gatewayStatus(host, creds(clientId, secret3)), { timeout: 5_000 }).toBe(401);
  });

  test("a refused name is explained next to the field and keeps the form", async ({ adminPage: page }) => {
    await page.goto(PAGE);
    await page.getByRole("button", { name: "Create Service Token" }).click();
    await page.getByRole("textbox", { name: "Service token name" }).fill("   ");
    await page.getByRole("button", { name: "Generate token" }).click();
    await expect(page.getByRole("alert").filter({ hasText: /./ })).toContainText("Service token name is required");
    await expect(page.getByRole("textbox", { name: "Service token name" })).toHaveAccessibleDescription(/Service token name is required/);
    await expect(page.getByRole("textbox", { name: "Client Secret" })).toHaveCount(0);
  });

  test("viewers see the tokens but no write controls", async ({ adminPage, viewerPage: page }) => {
    const name = uniqueName("read only");
    await adminPage.goto(PAGE);
    await adminPage.getByRole("button", { name: "Create Service Token" }).click();
    await adminPage.getByRole("textbox", { name: "Service token name" }).fill(name);
    await adminPage.getByRole("button", { name: "Generate token" }).click();
    await expect(adminPage.getByRole("textbox", { name: "Client ID" })).toBeVisible();

    await page.goto(PAGE);
    await expect(page.getByRole("heading", { level: 1, name: "Service Tokens" })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: name })).toBeVisible();
    await expect(page.getByRole("button", { name: "Create Service Token" })).toHaveCount(0);
    for (const button of ["Refresh", "Rotate", "Delete"]) await expect(page.getByRole("button", { name: button })).toHaveCount(0);
    await expect(page.getByText("You have read-only access (viewer role).")).toBeVisible();
  });
});
