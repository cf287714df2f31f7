import { expect, test, uniqueName } from "./fixtures";
import type { Page } from "@playwright/test";
import { generateRoot } from "./helpers/certs";
import { addPolicy } from "./helpers/console";

const APPS = "/access-controls/applications";
const POLICIES = "/access-controls/policies";
const MTLS = "/access-controls/service-credentials/mutual-tls";

/** Adds an mTLS certificate through the Mutual TLS Add page so that `hostname` becomes an associated hostname. */
async function addCertificate(page: Page, hostname: string) {
  const root = generateRoot(`/O=Portcullis e2e/CN=${uniqueName("Apps Root CA")}`);
  await page.goto(`${MTLS}/new`);
  await page.getByLabel("Name", { exact: true }).fill(uniqueName("apps-ca"));
  await page.getByLabel("Certificate content").fill(root.pem);
  const hosts = page.getByLabel("Associated hostnames");
  await hosts.fill(hostname);
  await hosts.press("Enter");
  await expect(page.getByRole("button", { name: `Remove ${hostname}` })).toBeVisible();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page).toHaveURL(new RegExp(`${MTLS}(\\?|$)`));
}

async function addApplication(page: Page, name: string, domain: string) {
  await page.goto(APPS);
  await page.getByRole("button", { name: "Add an application" }).click();
  await page.getByLabel("Application name").fill(name);
  await page.getByLabel("Domain").fill(domain);
  await expect(page.getByLabel("Session duration")).toHaveValue("24h");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

async function attach(page: Page, names: string[]) {
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: "Select existing policies" }).click();
  const dialog = page.getByRole("dialog", { name: "Select existing policies" });
  for (const n of names) await dialog.getByRole("checkbox", { name: n, exact: true }).check();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await expect(dialog).toBeHidden();
}

const attached = (page: Page) => page.getByRole("list", { name: "Attached policies" }).getByRole("listitem");

test.describe("applications", () => {
  test("binds two policies to an app on an associated hostname, reorders them, and the order survives a reload", async ({ adminPage: page }) => {
    const host = `${uniqueName("app")}.example.com`;
    const cnPolicy = uniqueName("John Doe");
    const ipPolicy = uniqueName("Office network");
    const appName = uniqueName("Auth portal");
    await addCertificate(page, host);
    await addPolicy(page, cnPolicy, "Service Auth", "Common Name", "John Doe");
    await addPolicy(page, ipPolicy, "Allow", "IP ranges", "10.0.0.0/8");
    await addApplication(page, appName, host);

    const tabs = page.getByRole("tablist");
    await expect(tabs.getByRole("tab")).toHaveText(["Overview", "Policies"]);
    await expect(page.getByRole("tab", { name: "Overview" })).toHaveAttribute("aria-selected", "true");
    await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();

    await attach(page, [cnPolicy, ipPolicy]);
    await expect(attached(page)).toHaveCount(2);
    await expect(attached(page).nth(0)).toContainText(cnPolicy);
    await expect(attached(page).nth(1)).toContainText(ipPolicy);

    await attached(page).filter({ hasText: cnPolicy }).getByRole("button", { name: "Move down" }).click();
    await expect(attached(page).nth(0)).toContainText(ipPolicy);
    await expect(attached(page).nth(1)).toContainText(cnPolicy);
    await expect(attached(page).filter({ hasText: cnPolicy }).getByRole("button", { name: "Move up" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(attached(page).nth(0)).toContainText(cnPolicy);
    await expect(attached(page).filter({ hasText: cnPolicy }).getByRole("button", { name: "Move down" })).toBeFocused();
    await page.keyboard.press("Enter");
    await expect(attached(page).nth(0)).toContainText(ipPolicy);

    await page.getByRole("button", { name: "Save application" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
    await page.reload();
    await page.getByRole("tab", { name: "Policies" }).click();
    await expect(attached(page).nth(0)).toContainText(ipPolicy);
    await expect(attached(page).nth(1)).toContainText(cnPolicy);

    await page.goto(APPS);
    const appRow = page.getByRole("row").filter({ hasText: appName });
    await expect(appRow.getByRole("cell").nth(1)).toHaveText(host);
    await expect(appRow.getByRole("cell").nth(2).getByRole("listitem")).toHaveText([ipPolicy, cnPolicy]);
    await appRow.getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("heading", { level: 1, name: appName })).toBeVisible();

    // A policy still in use cannot be deleted: the refusal names the application.
    await page.goto(POLICIES);
    const policyRow = page.getByRole("row").filter({ has: page.getByText(cnPolicy, { exact: true }) });
    await expect(policyRow.getByRole("cell").nth(2)).toContainText("1");
    await policyRow.getByRole("button", { name: "Delete" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    const refusal = page.getByRole("alert").filter({ hasText: "still used by" });
    await expect(refusal).toContainText(appName);
    await expect(policyRow).toBeVisible();
  });

  test("refuses certificate policies on a hostname that no mTLS certificate covers, linking to Mutual TLS", async ({ adminPage: page }) => {
    const host = `${uniqueName("plain")}.example.com`;
    const cnPolicy = uniqueName("CN only");
    const appName = uniqueName("Unbound app");
    await addPolicy(page, cnPolicy, "Service Auth", "Valid Certificate");
    await addApplication(page, appName, host);
    await attach(page, [cnPolicy]);
    await page.getByRole("button", { name: "Save application" }).click();
    const alert = page.getByRole("alert").filter({ hasText: "certificate rules" });
    await expect(alert).toContainText(
      `Policies with certificate rules can't match on ${host}: it is not an associated hostname of any mTLS certificate. Add it under Mutual TLS first.`,
    );
    await expect(alert.getByRole("link", { name: "Go to Mutual TLS" })).toHaveAttribute("href", MTLS);
    await expect(attached(page)).toHaveCount(1);
    await page.reload();
    await page.getByRole("tab", { name: "Policies" }).click();
    await expect(page.getByText("No policies attached")).toBeVisible();
  });

  test("edits the overview and keeps validation next to the fields", async ({ adminPage: page }) => {
    const appName = uniqueName("Overview app");
    await addApplication(page, appName, `${uniqueName("ov")}.example.com`);
    await page.getByLabel("Domain").fill("not a domain");
    await page.getByLabel("Origin URL").fill("ftp://files.example.com");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByText(/is not a valid domain/)).toBeVisible();
    const renamed = `${appName} v2`;
    await page.getByLabel("Application name").fill(renamed);
    await page.getByLabel("Domain").fill(`https://${uniqueName("ov2")}.example.com/admin`);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("alert").filter({ hasText: "Origin URL must start with http:// or https://" })).toBeVisible();
    await page.getByLabel("Origin URL").fill("http://10.0.0.5:8080");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
    await expect(page.getByLabel("Domain")).toHaveValue(/\.example\.com\/admin$/);
    await expect(page.getByRole("heading", { level: 1, name: renamed })).toBeVisible();
    await page.getByRole("button", { name: "Delete application" }).click();
    await page.getByRole("dialog").getByRole("button", { name: "Delete" }).click();
    await expect(page).toHaveURL(new RegExp(`${APPS}$`));
    await expect(page.getByRole("row").filter({ hasText: renamed })).toHaveCount(0);
  });

  test("viewer sees applications but no write controls", async ({ adminPage, viewerPage: page }) => {
    const appName = uniqueName("Viewer app");
    await addApplication(adminPage, appName, `${uniqueName("vw")}.example.com`);
    await page.goto(APPS);
    await expect(page.getByRole("heading", { level: 1, name: "Applications" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Add an application" })).toHaveCount(0);
    await page.getByRole("row").filter({ hasText: appName }).getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("heading", { level: 1, name: appName })).toBeVisible();
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Delete application" })).toHaveCount(0);
    await page.getByRole("tab", { name: "Policies" }).click();
    await expect(page.getByRole("button", { name: "Select existing policies" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save application" })).toHaveCount(0);
  });
});
