import path from "node:path";
import type { Locator, Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { addChain, addPolicy, addApplication, MTLS, TEST_MTLS } from "./helpers/console";
import { generateTestPki, type TestPki } from "../test/integration/test-mtls-pki";

/** The row of the "Applications considered" table naming `app` (other rows' "why" may mention it too). */
const appRow = (table: Locator, app: string) => table.getByRole("row").filter({ has: table.page().getByRole("cell", { name: app, exact: true }) });

const addSeedPolicy = (page: Page, name: string) => addPolicy(page, name, "Service Auth", "Common Name", "John Doe");

async function runTest(page: Page, choose: { app?: string; host?: string }, pem: string) {
  await page.goto(TEST_MTLS);
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
    // What the origin would receive: the gateway's own headers (the JWT described, not signed).
    const sent = result.getByRole("table", { name: "Headers sent to the origin" });
    await expect(sent.getByRole("row").filter({ hasText: "x-forwarded-proto" })).toContainText("https");
    await expect(sent.getByRole("row").filter({ hasText: "cf-access-jwt-assertion" })).toContainText("a JWT the gateway signs");

    // Jane Roe, by hostname → Blocked with the reason.
    result = await runTest(page, { host }, pki.janePem);
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result).toContainText("Denied by default: no policy matched");
    await expect(result.getByRole("listitem").filter({ hasText: 'Include Common Name "John Doe"' })).toContainText("fail");
    await expect(result).toContainText('Common Name is "Jane Roe", expected "John Doe"');
    await expect(result.getByRole("table", { name: "Headers sent to the origin" })).toHaveCount(0);

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

  test("a URL selects the application by path, on segment boundaries, and shows the applications considered", async ({ adminPage: page }) => {
    test.setTimeout(120_000);
    const host = `${uniqueName("tm-url")}.example.com`;
    const john = uniqueName("TM URL John Doe");
    const blockAll = uniqueName("TM URL block");
    const whole = uniqueName("TM URL site");
    const admin = uniqueName("TM URL admin");
    await addChain(page, uniqueName("TM URL chain"), pki.seed.chainPem, host);
    await addSeedPolicy(page, john);
    await addPolicy(page, blockAll, "Block", "Everyone");
    await addApplication(page, whole, host, john);
    await addApplication(page, admin, `${host}/admin`, blockAll);

    // Choosing an application fills the URL with its address, path included.
    await page.goto(TEST_MTLS);
    const url = page.getByRole("textbox", { name: "URL" });
    await expect(url).toHaveAccessibleDescription("The full address the client requests; its path selects the application.");
    await page.getByRole("combobox", { name: "Application" }).selectOption({ label: `${admin} (${host}/admin)` });
    await expect(url).toHaveValue(`https://${host}/admin`);

    // A deeper path under /admin: the /admin application, not the whole-host one, decides (Block).
    await url.fill(`https://${host}/admin/users`);
    await expect(page.getByRole("combobox", { name: "Application" })).toHaveValue("");
    await expect(page.getByRole("textbox", { name: "Hostname" })).toHaveValue(host);
    await page.getByRole("textbox", { name: "Client certificate" }).fill(pki.johnPem);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    let result = page.getByRole("region", { name: "Result" });
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result).toContainText(`https://${host}/admin/users`);
    await expect(result.getByRole("link", { name: admin })).toBeVisible();
    await expect(result).toContainText(`(${host}/admin)`);
    await expect(result.getByRole("link", { name: blockAll })).toBeVisible();
    await expect(result).toContainText("Block: 403 Forbidden");
    let considered = result.getByRole("table", { name: "Applications considered" });
    await expect(appRow(considered, admin)).toContainText("Matched");
    await expect(appRow(considered, whole)).toContainText("Not matched");

    // /administrator is not under /admin: the whole-host application lets John Doe in.
    await url.fill(`https://${host}/administrator`);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    result = page.getByRole("region", { name: "Result" });
    await expect(result.getByText("Allowed", { exact: true })).toBeVisible();
    await expect(result.getByRole("link", { name: whole })).toBeVisible();
    considered = result.getByRole("table", { name: "Applications considered" });
    await expect(appRow(considered, whole)).toContainText("Matched");
    await expect(appRow(considered, admin)).toContainText("does not cover /administrator");

    // A URL without a scheme gets a field error under URL.
    await url.fill(`${host}/admin`);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await expect(url).toHaveAttribute("aria-invalid", "true");
    await expect(url).toHaveAccessibleDescription(/Enter a URL such as https:\/\/app\.example\.com\/admin/);
  });

  test("query parameters prefill the form", async ({ adminPage: page }) => {
    const q = new URLSearchParams({ url: "https://prefill.example.com/admin", ip: "192.0.2.7", certificate: pki.johnPem, at: "2030-01-31T12:00:00Z" });
    await page.goto(`${TEST_MTLS}?${q}`);
    await expect(page.getByRole("textbox", { name: "URL" })).toHaveValue("https://prefill.example.com/admin");
    await expect(page.getByRole("textbox", { name: "Hostname" })).toHaveValue("prefill.example.com");
    await expect(page.getByRole("textbox", { name: "Client IP" })).toHaveValue("192.0.2.7");
    await expect(page.getByRole("textbox", { name: "Client certificate" })).toHaveValue(pki.johnPem.trim());
    await expect(page.getByLabel("Validation time (optional)")).not.toHaveValue("");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect(result).toContainText("https://prefill.example.com/admin");
    await expect(result).toContainText("2030-01-31T12:00:00.000Z");
  });

  test("until the page's scripts run, the form is disabled: Test cannot reload it empty and lose what was typed", async ({ adminPage: page }) => {
    // Held scripts stand for a slow hydration; a click then would submit natively and drop the values.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    await page.route("**/_next/static/chunks/**", async (route) => {
      await held;
      await route.continue();
    });
    // Held scripts also hold DOMContentLoaded: wait for the streamed page, not for the load events.
    await page.goto(TEST_MTLS, { waitUntil: "commit" });
    await expect(page.getByRole("heading", { level: 1, name: "Test mTLS" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Test", exact: true })).toBeDisabled();
    await expect(page.getByRole("textbox", { name: "Client certificate" })).toBeDisabled();
    release();
    await expect(page.getByRole("button", { name: "Test", exact: true })).toBeEnabled();
    await page.getByRole("textbox", { name: "Client certificate" }).fill(pki.johnPem);
    await page.getByRole("textbox", { name: "Hostname" }).fill("hydrated.example.com");
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await expect(page.getByRole("region", { name: "Result" })).toContainText("hydrated.example.com");
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
