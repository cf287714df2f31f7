import { expect, test, uniqueName } from "./fixtures";
import type { Page } from "@playwright/test";

const LIST = "/access-controls/policies";

async function openAddForm(page: Page) {
  await page.goto(LIST);
  await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();
  await page.getByRole("button", { name: "Add a policy" }).click();
  await expect(page.getByLabel("Policy name")).toBeVisible();
}

function row(page: Page, name: string) {
  return page.getByRole("row").filter({ has: page.getByText(name, { exact: true }) });
}

test.describe("policies", () => {
  test("creates the seed's mTLS policy (Service Auth | Include | Common Name | John Doe) in one pass", async ({ adminPage: page }) => {
    const name = uniqueName("John Doe policy");
    await openAddForm(page);
    await page.getByLabel("Policy name").fill(name);
    const action = page.getByRole("combobox", { name: "Action" });
    await expect(action.getByRole("option")).toHaveText(["Allow", "Block", "Bypass", "Service Auth"]);
    await action.selectOption({ label: "Service Auth" });
    await expect(page.getByLabel("Session duration")).toHaveValue("24h");
    await page.getByRole("button", { name: "Add include" }).click();
    const rule = page.getByRole("group", { name: "Include rule 1" });
    const selector = rule.getByRole("combobox", { name: "Selector" });
    await expect(selector).toBeFocused();
    for (const label of ["Valid Certificate", "Common Name", "Everyone", "Emails", "Emails ending in", "IP ranges", "Service Token", "Any Access Service Token"]) {
      await expect(selector.getByRole("option", { name: label, exact: true })).toHaveCount(1);
    }
    await selector.selectOption({ label: "Common Name" });
    await rule.getByRole("textbox", { name: "Value" }).fill("John Doe");
    await expect(page.getByText('Service Auth: lets in requests whose client certificate has Common Name "John Doe".')).toBeVisible();
    await page.getByRole("button", { name: "Save" }).click();

    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
    const r = row(page, name);
    await expect(r.getByRole("cell").nth(1)).toHaveText("Service Auth");
    await expect(r.getByRole("cell").nth(2)).toHaveText("0");
    await expect(page.getByRole("columnheader", { name: "Used by applications" })).toBeVisible();
  });

  test("validates each rule's value inline and keeps what was typed", async ({ adminPage: page }) => {
    await openAddForm(page);
    await page.getByLabel("Policy name").fill(uniqueName("validation"));
    await page.getByRole("button", { name: "Add include" }).click();
    await page.getByRole("button", { name: "Add include" }).click();
    await page.getByRole("button", { name: "Add exclude" }).click();
    const ip = page.getByRole("group", { name: "Include rule 1" });
    await ip.getByLabel("Selector").selectOption({ label: "IP ranges" });
    await ip.getByLabel("Value").fill("10.0.0.300/8");
    const email = page.getByRole("group", { name: "Include rule 2" });
    await email.getByLabel("Selector").selectOption({ label: "Emails" });
    await email.getByLabel("Value").fill("not-an-email");
    const cn = page.getByRole("group", { name: "Exclude rule 1" });
    await cn.getByLabel("Selector").selectOption({ label: "Common Name" });
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Include rule 1" })).toBeVisible();
    await expect(ip.getByText(/10\.0\.0\.300/)).toBeVisible();
    await expect(email.getByText('"not-an-email" is not a valid email address')).toBeVisible();
    await expect(cn.getByText("Common Name must not be empty")).toBeVisible();
    await expect(ip.getByLabel("Value")).toHaveAttribute("aria-invalid", "true");
    await expect(ip.getByLabel("Value")).toHaveValue("10.0.0.300/8");

    await cn.getByRole("button", { name: "Remove rule" }).click();
    await expect(page.getByRole("group", { name: /^Exclude rule/ })).toHaveCount(0);
    await ip.getByLabel("Value").fill("10.0.0.0/8");
    await email.getByLabel("Selector").selectOption({ label: "Everyone" });
    await expect(email.getByLabel("Value")).toHaveCount(0);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
  });

  test("edits a policy; a stale save is refused with Reload and keeps the edits", async ({ adminPage: page }) => {
    const name = uniqueName("editable");
    await openAddForm(page);
    await page.getByLabel("Policy name").fill(name);
    await page.getByRole("button", { name: "Add include" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await expect(row(page, name)).toBeVisible();

    await row(page, name).getByRole("link", { name: "Edit" }).click();
    await expect(page.getByLabel("Policy name")).toHaveValue(name);
    const other = await page.context().newPage();
    await other.goto(page.url());
    await expect(other.getByLabel("Policy name")).toHaveValue(name);

    await page.getByLabel("Action").selectOption({ label: "Block" });
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
    await expect(row(page, name).getByRole("cell").nth(1)).toHaveText("Block");

    await other.getByLabel("Policy name").fill(`${name} renamed`);
    await other.getByRole("button", { name: "Save" }).click();
    const alert = other.getByRole("alert").filter({ hasText: "changed by someone else" });
    await expect(alert).toContainText("changed by someone else");
    await expect(alert.getByRole("button", { name: "Reload" })).toBeVisible();
    await expect(other.getByLabel("Policy name")).toHaveValue(`${name} renamed`);
    await other.close();
  });

  test("deletes an unused policy after confirming", async ({ adminPage: page }) => {
    const name = uniqueName("disposable");
    await openAddForm(page);
    await page.getByLabel("Policy name").fill(name);
    await page.getByRole("button", { name: "Add include" }).click();
    await page.getByRole("button", { name: "Save" }).click();
    await row(page, name).getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect(row(page, name)).toHaveCount(0);
  });

  test("Emails and service-token rules are enforced (no note); in a Service Auth policy Emails says it is not evaluated", async ({ adminPage: page }) => {
    const name = uniqueName("emails only");
    await openAddForm(page);
    await page.getByLabel("Policy name").fill(name);
    await page.getByRole("button", { name: "Add include" }).click();
    const rule = page.getByRole("group", { name: "Include rule 1" });
    const selector = rule.getByRole("combobox", { name: "Selector" });
    await selector.selectOption({ label: "Emails" });
    await rule.getByRole("textbox", { name: "Value" }).fill("someone@example.com");
    // The gateway signs people in and checks service tokens: no note for either rule.
    await expect(rule.getByRole("note")).toHaveCount(0);
    await page.getByRole("button", { name: "Add exclude" }).click();
    const exclude = page.getByRole("group", { name: "Exclude rule 1" });
    await exclude.getByRole("combobox", { name: "Selector" }).selectOption({ label: "Any Access Service Token" });
    await expect(exclude.getByRole("note")).toHaveCount(0);
    await page.getByRole("button", { name: "Save" }).click();

    await expect(page).toHaveURL(new RegExp(`${LIST}$`));
    const r = row(page, name);
    await expect(r.getByRole("cell").nth(0).getByText("Needs sign-in at the gateway", { exact: true })).toHaveCount(0);
    await expect(r.getByRole("cell").nth(0).getByText("Needs service tokens at the gateway", { exact: true })).toHaveCount(0);
    await expect(r.getByRole("cell").nth(1)).toHaveText("Allow");

    await r.getByRole("link", { name: "Edit" }).click();
    await expect(page.getByRole("note", { name: "Not enforced at the gateway yet" })).toHaveCount(0);
    // A Service Auth policy evaluates no identity: the Emails rule says so before anything is saved.
    await page.getByRole("combobox", { name: "Action" }).selectOption({ label: "Service Auth" });
    await expect(page.getByRole("group", { name: "Include rule 1" }).getByRole("note")).toHaveText(/^Not evaluated in a Service Auth policy/);
  });

  test("viewer sees policies but no write controls", async ({ viewerPage: page }) => {
    await page.goto(LIST);
    await expect(page.getByRole("heading", { level: 1, name: "Policies" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add a policy" })).toHaveCount(0);
    await expect(page.getByRole("link", { name: "Edit" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete" })).toHaveCount(0);
    await page.goto(`${LIST}/new`);
    await expect(page.getByLabel("Policy name")).toHaveCount(0);
  });
});
