/**
 * Setting up configuration through the console the way an admin does it (the accessible names of the UI contract),
 * shared by the specs that need a CA chain, a policy and an application before they test something else.
 */
import { expect, type Page } from "@playwright/test";

export const MTLS = "/access-controls/service-credentials/mutual-tls";
export const POLICIES = "/access-controls/policies";
export const APPS = "/access-controls/applications";
export const TEST_MTLS = "/access-controls/test";

/** Mutual TLS → Add: uploads `pem` as `name` and associates `hostname` with it. */
export async function addChain(page: Page, name: string, pem: string, hostname: string): Promise<void> {
  await page.goto(`${MTLS}/new`);
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByLabel("Certificate content").fill(pem);
  const hosts = page.getByLabel("Associated hostnames");
  await hosts.fill(hostname);
  await hosts.press("Enter");
  await expect(page.getByRole("button", { name: `Remove ${hostname}` })).toBeVisible();
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${MTLS}(\\?|$)`));
}

/** Policies → Add a policy with one Include rule (`selector`, and its `value` when it takes one). */
export async function addPolicy(page: Page, name: string, action: string, selector: string, value?: string): Promise<void> {
  await page.goto(POLICIES);
  await page.getByRole("button", { name: "Add a policy" }).click();
  await page.getByLabel("Policy name").fill(name);
  await page.getByLabel("Action").selectOption({ label: action });
  await page.getByRole("button", { name: "Add include" }).click();
  const rule = page.getByRole("group", { name: "Include rule 1" });
  await rule.getByLabel("Selector").selectOption({ label: selector });
  if (value !== undefined) await rule.getByLabel("Value").fill(value);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${POLICIES}$`));
}

/**
 * Applications → Add an application on `domain` (host and optional path) bound to the existing `policy`; without a
 * policy it stays unbound (the gateway then blocks every request to it).
 */
export async function addApplication(page: Page, name: string, domain: string, policy?: string): Promise<void> {
  await page.goto(APPS);
  await page.getByRole("button", { name: "Add an application" }).click();
  await page.getByLabel("Application name").fill(name);
  await page.getByLabel("Domain").fill(domain);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  if (policy === undefined) return;
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: "Select existing policies" }).click();
  const dialog = page.getByRole("dialog", { name: "Select existing policies" });
  await dialog.getByRole("checkbox", { name: policy, exact: true }).check();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("button", { name: "Save application" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
}
