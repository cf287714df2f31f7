import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { generateTestPki, type TestPki } from "../test/integration/test-mtls-pki";

const MTLS = "/access-controls/service-credentials/mutual-tls";
const POLICIES = "/access-controls/policies";
const APPS = "/access-controls/applications";
const TEST = "/access-controls/test";

async function addChain(page: Page, name: string, pem: string, hostname: string) {
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

async function addSeedPolicy(page: Page, name: string) {
  await page.goto(POLICIES);
  await page.getByRole("button", { name: "Add a policy" }).click();
  await page.getByLabel("Policy name").fill(name);
  await page.getByLabel("Action").selectOption({ label: "Service Auth" });
  await page.getByRole("button", { name: "Add include" }).click();
  const rule = page.getByRole("group", { name: "Include rule 1" });
  await rule.getByLabel("Selector").selectOption({ label: "Common Name" });
  await rule.getByLabel("Value").fill("John Doe");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page).toHaveURL(new RegExp(`${POLICIES}$`));
}

async function addApplication(page: Page, name: string, host: string, policy: string) {
  await page.goto(APPS);
  await page.getByRole("button", { name: "Add an application" }).click();
  await page.getByLabel("Application name").fill(name);
  await page.getByLabel("Domain").fill(host);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: "Select existing policies" }).click();
  const dialog = page.getByRole("dialog", { name: "Select existing policies" });
  await dialog.getByRole("checkbox", { name: policy, exact: true }).check();
  await dialog.getByRole("button", { name: "Confirm" }).click();
  await page.getByRole("button", { name: "Save application" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
}

async function runTest(page: Page, choose: { app?: string; host?: string }, pem: string) {
  await page.goto(TEST);
  await expect(page.getByRole("heading", { level: 1, name: "Test mTLS" })).toBeVisible();
  if (choose.app) await page.getByRole("combobox", { name: "Application" }).selectOption({ label: choose.app });
  if (choose.host) await page.getByRole("textbox", { name: "Hostname" }).fill(choose.host);
  await page.getByRole("textbox", { name: "Client certificate" }).fill(pem);
  await page.getByRole("button", { name: "Test", exact: true }).click();
  const result = page.getByRole("region", { name: "Result" });
  await expect(result).toBeVisible();
  return result;
}

test.describe("Test mTLS", () => {
  let pki: TestPki;
  test.beforeAll(() => {
    pki = generateTestPki({ rootCN: uniqueName("E2E TM Root"), intermediateCN: uniqueName("E2E TM Intermediate") });
  });

  test("seed walkthrough: John Doe allowed, Jane Roe blocked, John revoked after a CRL upload", async ({ adminPage: page }) => {
    test.setTimeout(120_000);
    const host = `${uniqueName("tm")}.example.com`;
    const certName = uniqueName("TM chain");
    const policy = uniqueName("TM John Doe");
    const app = uniqueName("TM app");
    await addChain(page, certName, pki.seed.chainPem, host);
    await addSeedPolicy(page, policy);
    await addApplication(page, app, host, policy);

    // John Doe, chosen by application → Allowed by the seed policy, every step passing.
    let result = await runTest(page, { app: `${app} (${host})` }, pki.johnPem);
    await expect(result.getByText("Allowed", { exact: true })).toBeVisible();
    await expect(result.getByRole("link", { name: policy })).toHaveAttribute("href", /\/access-controls\/policies\/[0-9a-f-]{36}$/);
    const steps = result.getByRole("list", { name: "Evaluation steps" }).getByRole("listitem");
    await expect(steps.filter({ hasText: "fail" })).toHaveCount(0);
    await expect(steps.filter({ hasText: 'Include Common Name "John Doe"' })).toContainText("pass");
    await expect(steps.filter({ hasText: `Hostname association: ${host}` })).toContainText("pass");
    await expect(result.getByRole("figure", { name: /Certificate chain/ })).toContainText("John Doe");

    // Jane Roe, by hostname → Blocked with the reason.
    result = await runTest(page, { host }, pki.janePem);
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result).toContainText("Denied by default: no policy matched");
    await expect(result.getByRole("listitem").filter({ hasText: 'Include Common Name "John Doe"' })).toContainText("fail");
    await expect(result).toContainText('Common Name is "Jane Roe", expected "John Doe"');

    // Upload a CRL (DER file) revoking John Doe on the certificate's Configure page.
    await page.goto(MTLS);
    await page.getByRole("row").filter({ hasText: certName }).getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("heading", { level: 1, name: certName })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Certificate revocation list" })).toBeVisible();
    await page.getByLabel("Upload CRL").setInputFiles(path.join(pki.dir, "revoke-john.crl"));
    await expect(page.getByRole("textbox", { name: "CRL content" })).not.toHaveValue("");
    await page.getByRole("button", { name: "Save CRL" }).click();
    await expect(page.getByRole("status").filter({ hasText: "CRL saved." })).toBeVisible();
    await expect(page.getByRole("table", { name: "Revoked certificates" }).getByRole("row")).toHaveCount(2);

    result = await runTest(page, { app: `${app} (${host})` }, pki.johnPem);
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result).toContainText("the client certificate is invalid: certificate revoked");
    await expect(result.getByRole("list", { name: "Certificate errors" }).getByRole("listitem")).toHaveText([/^certificate revoked \(error 23 at depth 0\)/]);
    await expect(result.getByRole("list", { name: "Evaluation steps" }).getByRole("listitem").filter({ hasText: "John Doe): revocation (CRL)" })).toContainText("fail");
  });

  test("a stale CRL shows a warning; Remove CRL asks first", async ({ adminPage: page }) => {
    const host = `${uniqueName("tm-stale")}.example.com`;
    const certName = uniqueName("TM stale chain");
    await addChain(page, certName, pki.seed.chainPem, host);
    await page.getByRole("row").filter({ hasText: certName }).getByRole("button", { name: "Configure" }).click();
    await page.getByRole("textbox", { name: "CRL content" }).fill(pki.crlStale);
    await page.getByRole("button", { name: "Save CRL" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "This CRL is out of date" }).first()).toBeVisible();
    await page.getByRole("button", { name: "Remove CRL" }).click();
    const dialog = page.getByRole("dialog", { name: "Remove the certificate revocation list?" });
    await dialog.getByRole("button", { name: "Remove" }).click();
    await expect(page.getByText("No CRL uploaded: revocation is not checked for this chain.")).toBeVisible();
  });

  test("a CRL from another CA is refused with the reason", async ({ adminPage: page }) => {
    const host = `${uniqueName("tm-foreign")}.example.com`;
    const certName = uniqueName("TM foreign chain");
    await addChain(page, certName, pki.seed.chainPem, host);
    await page.getByRole("row").filter({ hasText: certName }).getByRole("button", { name: "Configure" }).click();
    await page.getByRole("textbox", { name: "CRL content" }).fill(pki.crlForeign);
    await page.getByRole("button", { name: "Save CRL" }).click();
    await expect(page.getByText(/This CRL was not issued by a CA of this certificate's chain/)).toBeVisible();
  });
});
