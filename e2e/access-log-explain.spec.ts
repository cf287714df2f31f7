/**
 * Issue #13, part 6: each access-log row has a button Explain that opens Test mTLS with that request filled in (URL,
 * the client's chain, its IP) and shows the logged decision next to today's. Real gateway requests over TLS.
 */
import path from "node:path";
import { expect, test, uniqueName } from "./fixtures";
import { addChain, addApplication, addPolicy, MTLS } from "./helpers/console";
import { logRow } from "./helpers/access-log";
import { gatewayStatus } from "./helpers/gateway";
import { generateTestPki, type TestPki } from "../test/integration/test-mtls-pki";

test.describe("Explain an access-log row", () => {
  let pki: TestPki;
  test.beforeAll(() => {
    pki = generateTestPki({ rootCN: uniqueName("E2E Explain Root"), intermediateCN: uniqueName("E2E Explain Intermediate") });
  });

  test("opens Test mTLS with the logged request and shows the logged decision next to today's", async ({ adminPage: page, viewerPage }) => {
    test.setTimeout(180_000);
    const host = `${uniqueName("explain")}.example.com`;
    const certName = uniqueName("Explain chain");
    const policy = uniqueName("Explain John Doe");
    const app = uniqueName("Explain app");
    await addChain(page, certName, pki.seed.chainPem, host);
    await addPolicy(page, policy, "Service Auth", "Common Name", "John Doe");
    await addApplication(page, app, host, policy);

    // Through the gateway: Jane Roe is refused; John Doe is let in (502: the application has no origin yet).
    const jane = { cert: pki.janePath, key: path.join(pki.dir, "jane.key") };
    const john = { cert: pki.johnPath, key: path.join(pki.dir, "client.key") };
    await expect.poll(() => gatewayStatus(host, "/reports/../secret", jane), { timeout: 15_000 }).toBe(403);
    expect(gatewayStatus(host, "/hello", john)).toBe(502);

    // Jane's row → Explain: the URL (normalised path), her certificate and address are filled in; blocked then and now.
    const janeRow = await logRow(page, host, "Jane Roe");
    await expect(janeRow.getByRole("button", { name: "Explain" })).toHaveCount(1);
    await janeRow.getByRole("button", { name: "Explain" }).click();
    await expect(page).toHaveURL(/\/access-controls\/test\?explain=\d+$/);
    await expect(page.getByRole("textbox", { name: "URL" })).toHaveValue(`https://${host}/secret`);
    // Leaf first (the handshake may also expose the issuers the gateway completed the chain with).
    expect((await page.getByRole("textbox", { name: "Client certificate" }).inputValue()).startsWith(pki.janePem.trim())).toBe(true);
    const logged = page.getByRole("region", { name: "Logged request" });
    await expect(logged).toContainText(`https://${host}/secret`);
    await expect(logged.getByRole("definition").first()).toContainText("Blocked");
    await expect(logged.getByRole("definition").nth(1)).toContainText("Blocked");
    await expect(logged).toContainText("Today's decision is the same as the one logged.");
    // The form runs today's decision on the prefilled request.
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result).toContainText('Common Name is "Jane Roe", expected "John Doe"');

    // Revoke John Doe (CRL upload): his logged request was allowed, today it would be blocked.
    await page.goto(MTLS);
    await page.getByRole("row").filter({ hasText: certName }).getByRole("button", { name: "Configure" }).click();
    await page.getByLabel("Upload CRL").setInputFiles(path.join(pki.dir, "revoke-john.crl"));
    await expect(page.getByRole("textbox", { name: "CRL content" })).not.toHaveValue("");
    await page.getByRole("button", { name: "Save CRL" }).click();
    await expect(page.getByRole("status").filter({ hasText: "CRL saved." })).toBeVisible();

    // A viewer may explain too (read-only).
    const johnRow = await logRow(viewerPage, host, "John Doe");
    await johnRow.getByRole("button", { name: "Explain" }).click();
    await expect(viewerPage.getByRole("textbox", { name: "URL" })).toHaveValue(`https://${host}/hello`);
    const changed = viewerPage.getByRole("region", { name: "Logged request" });
    await expect(changed.getByRole("definition").first()).toContainText(`Allowed at`);
    await expect(changed.getByRole("definition").first()).toContainText(`by policy “${policy}”`);
    await expect(changed.getByRole("definition").nth(1)).toContainText("Blocked");
    await expect(changed.getByRole("definition").nth(1)).toContainText("certificate revoked");
    await expect(changed).toContainText("The decision has changed since this request was logged");
  });

  test("a row that no longer exists says so", async ({ adminPage: page }) => {
    await page.goto("/access-controls/test?explain=999999999");
    // (Next.js's route announcer is an alert too: look for the notice by its words.)
    await expect(page.getByRole("alert").filter({ hasText: "access-log entry" })).toHaveText("That access-log entry no longer exists (log retention may have removed it).");
    await page.goto("/access-controls/test?explain=abc");
    await expect(page.getByRole("alert").filter({ hasText: "access-log entry" })).toHaveText("That access-log entry ID is not valid: use the Explain button on the Access log page.");
    // The form is still there, empty.
    await expect(page.getByRole("textbox", { name: "URL" })).toHaveValue("");
  });
});
