import { execFileSync } from "node:child_process";
import type { Locator, Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot, generateSeedChain } from "./helpers/certs";

const SETUP = "/access-controls/mtls-setup";
const MTLS = "/access-controls/service-credentials/mutual-tls";
const POLICIES = "/access-controls/policies";
const APPS = "/access-controls/applications";

const stepper = (page: Page) => page.getByRole("navigation", { name: "Setup steps" });
const currentStep = (page: Page) => stepper(page).locator('[aria-current="step"]');
const row = (page: Page, text: string): Locator => page.getByRole("row").filter({ hasText: text });

/** The docs' "Generate a client certificate" in the chain's directory: client.key, client.pem (CN John Doe). */
function issueClient(dir: string): void {
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  run(["genrsa", "-out", "client.key", "2048"]);
  run(["req", "-new", "-key", "client.key", "-out", "client.csr", "-subj", "/CN=John Doe"]);
  run(["x509", "-req", "-in", "client.csr", "-CA", "intermediate.pem", "-CAkey", "intermediate.key", "-CAcreateserial", "-out", "client.pem", "-days", "365", "-sha256", "-passin", "pass:portcullis-test"]);
}

/** Runs a curl command as the summary shows it (plain words, no quoting) and returns the HTTP status. */
function curlStatus(command: string, cwd: string): string {
  const args = command.trim().split(/\s+/).slice(1);
  return execFileSync("curl", [...args, "-o", "/dev/null", "-w", "%{http_code}"], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

test.describe("guided mTLS setup", () => {
  test("walks certificate → hostnames → policy → application, resumes after a reload, and the objects show on the standalone pages", async ({
    adminPage: page,
  }) => {
    // Four wizard steps, a reload, and (the e2e instance runs the gateway) a client certificate and two requests.
    test.setTimeout(180_000);
    const chain = generateSeedChain({ rootCN: uniqueName("Setup Root CA"), intermediateCN: uniqueName("Setup Intermediate CA") });
    const host = `${uniqueName("setup")}.example.com`;
    const certName = uniqueName("Setup CA");
    const policyName = uniqueName("John Doe mTLS");
    const appName = uniqueName("Setup app");

    await page.goto("/");
    await page.getByRole("link", { name: "Set up mutual TLS" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Set up mutual TLS" })).toBeVisible();
    await expect(stepper(page).getByRole("listitem")).toHaveText(["Certificate", "Hostnames", "Policy", "Application"].map((s) => new RegExp(s)));
    await expect(currentStep(page)).toHaveText(/Certificate/);
    await expect(page.getByRole("button", { name: "Back" })).toHaveCount(0);

    // 1. Add mTLS Certificate: the Mutual TLS Add form, intermediate first, then the root.
    await expect(page.getByRole("button", { name: "Continue" })).toBeDisabled();
    await page.getByLabel("Name", { exact: true }).fill(certName);
    await page.getByLabel("Certificate content").fill(chain.intermediatePem + chain.rootPem);
    const inspector = page.getByRole("region", { name: "Certificate chain inspector" });
    await expect(inspector).toContainText(chain.intermediateCN);
    await expect(inspector).toContainText(chain.rootCN);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(`Certificate: ${certName}`)).toBeVisible();
    await expect(page).toHaveURL(/[?&]certificate=[0-9a-f-]{36}/);
    await page.getByRole("button", { name: "Continue" }).click();

    // 2. Associated hostnames (the chip input of Mutual TLS).
    await expect(currentStep(page)).toHaveText(/Hostnames/);
    const hosts = page.getByLabel("Associated hostnames");
    await hosts.fill(host);
    await hosts.press("Enter");
    await expect(page.getByRole("button", { name: `Remove ${host}` })).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(currentStep(page)).toHaveText(/Policy/);

    // A reload resumes at the same step with what was chosen so far; Back shows the saved hostname.
    await page.reload();
    await expect(currentStep(page)).toHaveText(/Policy/);
    await page.getByRole("button", { name: "Back" }).click();
    await expect(currentStep(page)).toHaveText(/Hostnames/);
    await expect(page.getByRole("button", { name: `Remove ${host}` })).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(currentStep(page)).toHaveText(/Policy/);

    // 3. The seed's example policy: Service Auth (preselected) | Include | Common Name | John Doe.
    await expect(page.getByLabel("Action", { exact: true })).toHaveValue("non_identity");
    await expect(page.getByLabel("Action", { exact: true }).locator("option:checked")).toHaveText("Service Auth");
    await page.getByLabel("Policy name").fill(policyName);
    await page.getByRole("button", { name: "Add include" }).click();
    const rule = page.getByRole("group", { name: "Include rule 1" });
    await rule.getByLabel("Selector").selectOption({ label: "Common Name" });
    await rule.getByLabel("Value").fill("John Doe");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(`Policy: ${policyName}`)).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();

    // 4. A new application on the associated hostname, created with the policy attached.
    await expect(currentStep(page)).toHaveText(/Application/);
    await expect(page.getByRole("button", { name: "Finish" })).toBeDisabled();
    await page.getByLabel("Application name").fill(appName);
    await expect(page.getByLabel("Domain")).toHaveValue(host);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByText(`Application: ${appName}`)).toBeVisible();
    await page.getByRole("button", { name: "Finish" }).click();

    // Summary: what was created and the curl commands of "Test mTLS".
    await expect(page.getByRole("heading", { name: "Mutual TLS is set up" })).toBeVisible();
    await expect(currentStep(page)).toHaveCount(0);
    await expect(page.getByRole("link", { name: certName })).toHaveAttribute("href", new RegExp(`^${MTLS}/[0-9a-f-]{36}$`));
    await expect(page.getByRole("link", { name: policyName })).toHaveAttribute("href", new RegExp(`^${POLICIES}/[0-9a-f-]{36}$`));
    await expect(page.getByRole("link", { name: appName })).toHaveAttribute("href", new RegExp(`^${APPS}/[0-9a-f-]{36}`));
    const tryIt = page.getByRole("region", { name: "Test mTLS" });
    await expect(tryIt.locator("pre").filter({ hasText: /^curl -sv https:\/\// }).first()).toContainText(`https://${host}`);
    await expect(tryIt).toContainText("--cert client.pem --key client.key");
    await expect(tryIt).toContainText(`npx portcullis test --url http://`);
    await expect(tryIt).toContainText(`--hostname ${host} client.pem`);
    await expect(tryIt).toContainText("-subj '/CN=John Doe'");
    const [without, withCert] = await tryIt.locator("pre").filter({ hasText: /^curl -sv https:\/\// }).allInnerTexts();
    if (without.includes("--resolve")) {
      // This instance runs the enforcement gateway (GATEWAY_PORT): the commands work as shown.
      issueClient(chain.dir);
      await expect.poll(() => curlStatus(without, chain.dir)).toBe("403");
      // Allowed: the application has no origin URL yet, so the gateway answers 502 "No origin" instead of 403.
      await expect.poll(() => curlStatus(withCert, chain.dir)).toBe("502");
    }

    // The same objects on the standalone pages.
    await page.goto(MTLS);
    await expect(row(page, certName)).toContainText(host);
    await page.goto(POLICIES);
    await expect(row(page, policyName)).toContainText("Service Auth");
    await page.goto(APPS);
    await expect(row(page, appName)).toContainText(host);
    await expect(row(page, appName)).toContainText(policyName);
  });

  test("picks an existing certificate and binds the policy to an existing application", async ({ adminPage: page }) => {
    const root = generateRoot(`/O=Portcullis e2e/CN=${uniqueName("Setup existing root")}`);
    const host = `${uniqueName("existing")}.example.com`;
    const certName = uniqueName("Existing CA");
    const appName = uniqueName("Existing app");
    const policyName = uniqueName("Valid cert");

    await page.goto(`${MTLS}/new`);
    await page.getByLabel("Name", { exact: true }).fill(certName);
    await page.getByLabel("Certificate content").fill(root.pem);
    await page.getByLabel("Associated hostnames").fill(host);
    await page.getByLabel("Associated hostnames").press("Enter");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(new RegExp(`${MTLS}(\\?|$)`));
    await page.goto(`${APPS}/new`);
    await page.getByLabel("Application name").fill(appName);
    await page.getByLabel("Domain").fill(host);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("heading", { level: 1, name: appName })).toBeVisible();

    await page.goto(SETUP);
    await page.getByLabel("Use an existing certificate").check();
    await page.getByLabel("Choose a certificate").selectOption({ label: `${certName} (${host})` });
    await page.getByRole("button", { name: "Continue" }).click();
    await expect(currentStep(page)).toHaveText(/Hostnames/);
    await expect(page.getByRole("button", { name: `Remove ${host}` })).toBeVisible();
    await page.getByRole("button", { name: "Continue" }).click();

    await page.getByLabel("Policy name").fill(policyName);
    await page.getByRole("button", { name: "Add include" }).click();
    await expect(page.getByRole("group", { name: "Include rule 1" }).getByLabel("Selector")).toHaveValue("certificate");
    await page.getByRole("button", { name: "Save" }).click();
    await page.getByRole("button", { name: "Continue" }).click();

    await page.getByLabel("Use an existing application").check();
    await page.getByLabel("Choose an application").selectOption({ label: `${appName} (${host})` });
    await page.getByRole("button", { name: "Attach policy" }).click();
    await expect(page.getByText(`Application: ${appName}`)).toBeVisible();
    await page.getByRole("button", { name: "Finish" }).click();
    await expect(page.getByRole("heading", { name: "Mutual TLS is set up" })).toBeVisible();

    await page.goto(APPS);
    await expect(row(page, appName)).toContainText(policyName);
  });

  test("a viewer sees the steps read-only, without Continue", async ({ viewerPage: page }) => {
    await page.goto(SETUP);
    await expect(page.getByRole("heading", { level: 1, name: "Set up mutual TLS" })).toBeVisible();
    await expect(currentStep(page)).toHaveText(/Certificate/);
    await expect(page.getByRole("status").filter({ hasText: "read-only access" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Continue" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(page.getByLabel("Certificate content")).toHaveCount(0);
  });
});
