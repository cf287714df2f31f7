/**
 * Issue #17 §4, instant lock in Chromium against the real gateway over TLS: Block this certificate from an access-log
 * row (dialog: Match by, Reason) → the gateway refuses it at once → Mutual TLS → Blocked certificates lists it →
 * Unblock → let in again; Block this certificate under a Test mTLS result and in a CA's Client certificates seen;
 * a viewer sees the list without the buttons.
 */
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { addApplication, addChain, addPolicy, MTLS } from "./helpers/console";
import { logRow } from "./helpers/access-log";
import { gatewayStatus } from "./helpers/gateway";
import { generateTestPki, type TestPki } from "../test/integration/test-mtls-pki";

const BLOCKED = `${MTLS}/blocked`;

async function block(page: Page, reason: string) {
  const dialog = page.getByRole("dialog", { name: "Block this certificate" });
  await expect(dialog.getByRole("radio", { name: /SHA-256 fingerprint/ })).toBeChecked();
  await dialog.getByRole("textbox", { name: "Reason" }).fill(reason);
  await dialog.getByRole("button", { name: "Block", exact: true }).click();
  await expect(dialog.getByRole("status")).toContainText("the gateway refuses it within a second");
  await expect(dialog.getByRole("link", { name: "Blocked certificates" })).toBeVisible();
  await dialog.getByRole("button", { name: "Close" }).click();
}

test.describe("Blocked certificates", () => {
  let pki: TestPki;
  test.beforeAll(() => {
    pki = generateTestPki({ rootCN: uniqueName("E2E Lock Root"), intermediateCN: uniqueName("E2E Lock Intermediate") });
  });

  test("Block this certificate from the access log, Unblock from Blocked certificates, both effective at the gateway", async ({ adminPage: page, viewerPage }) => {
    test.setTimeout(180_000);
    const host = `${uniqueName("lock")}.example.com`;
    const certName = uniqueName("Lock chain");
    const policy = uniqueName("Lock John Doe");
    await addChain(page, certName, pki.seed.chainPem, host);
    await addPolicy(page, policy, "Service Auth", "Common Name", "John Doe");
    await addApplication(page, uniqueName("Lock app"), host, policy);
    const john = { cert: pki.johnPath, key: path.join(pki.dir, "client.key") };
    // Allowed (502: the application has no origin).
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 15_000 }).toBe(502);

    const row = await logRow(page, host, "John Doe");
    await row.getByRole("button", { name: "Block this certificate" }).click();
    const reason = uniqueName("laptop stolen");
    await block(page, reason);
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 2_000 }).toBe(403);

    await page.goto(MTLS);
    await page.getByRole("link", { name: "Blocked certificates" }).click();
    await expect(page.getByRole("heading", { level: 1, name: "Blocked certificates" })).toBeVisible();
    const listed = page.getByRole("table", { name: "Blocked certificates" }).getByRole("row").filter({ hasText: reason });
    await expect(listed).toContainText("CN=John Doe");
    await expect(listed).toContainText("SHA-256");

    // A viewer sees it, without Unblock or the form.
    await viewerPage.goto(BLOCKED);
    await expect(viewerPage.getByRole("row").filter({ hasText: reason })).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Unblock" })).toHaveCount(0);
    await expect(viewerPage.getByRole("button", { name: "Block certificate" })).toHaveCount(0);

    await listed.getByRole("button", { name: "Unblock" }).click();
    await expect(page.getByRole("row").filter({ hasText: reason })).toHaveCount(0);
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 2_000 }).toBe(502);

    // From a CA's Client certificates seen (the gateway saw John Doe's certificate).
    await page.goto(MTLS);
    await page.getByRole("row").filter({ hasText: certName }).getByRole("button", { name: "Configure" }).click();
    const seen = page.getByRole("table", { name: "Client certificates seen" }).getByRole("row").filter({ hasText: "CN=John Doe" });
    await seen.getByRole("button", { name: "Block this certificate" }).click();
    await block(page, `${reason} (CA list)`);
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 2_000 }).toBe(403);
    await page.reload();
    await expect(page.getByRole("table", { name: "Client certificates seen" }).getByRole("row").filter({ hasText: "CN=John Doe" }).getByText("Blocked", { exact: true })).toBeVisible();

    // Test mTLS shows the lock as a step; unblock by hand and block from the result instead.
    await page.goto(`/access-controls/test?url=${encodeURIComponent(`https://${host}/`)}`);
    await page.getByRole("textbox", { name: "Client certificate" }).fill(pki.johnPem);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    const result = page.getByRole("region", { name: "Result" });
    await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
    await expect(result.getByRole("listitem").filter({ hasText: "Blocked certificate" })).toContainText(`${reason} (CA list)`);
    await page.goto(BLOCKED);
    await page.getByRole("row").filter({ hasText: `${reason} (CA list)` }).getByRole("button", { name: "Unblock" }).click();
    await expect(page.getByRole("row").filter({ hasText: `${reason} (CA list)` })).toHaveCount(0);
    await page.goto(`/access-controls/test?url=${encodeURIComponent(`https://${host}/`)}`);
    await page.getByRole("textbox", { name: "Client certificate" }).fill(pki.johnPem);
    await page.getByRole("button", { name: "Test", exact: true }).click();
    await expect(page.getByRole("region", { name: "Result" }).getByText("Allowed", { exact: true })).toBeVisible();
    await page.getByRole("button", { name: "Block this certificate" }).click();
    await page.getByRole("dialog", { name: "Block this certificate" }).getByRole("radio", { name: /Issuer and serial number/ }).check();
    await page.getByRole("dialog", { name: "Block this certificate" }).getByRole("textbox", { name: "Reason" }).fill(`${reason} (test)`);
    await page.getByRole("dialog", { name: "Block this certificate" }).getByRole("button", { name: "Block", exact: true }).click();
    await expect(page.getByRole("dialog", { name: "Block this certificate" }).getByRole("status")).toBeVisible();
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 2_000 }).toBe(403);
    await page.goto(BLOCKED);
    const bySerial = page.getByRole("row").filter({ hasText: `${reason} (test)` });
    await expect(bySerial).toContainText("Issuer + serial");
    await bySerial.getByRole("button", { name: "Unblock" }).click();
    await expect.poll(() => gatewayStatus(host, "/", john), { timeout: 2_000 }).toBe(502);
  });

  test("the form refuses a bad fingerprint next to its field", async ({ adminPage: page }) => {
    await page.goto(BLOCKED);
    await page.getByRole("textbox", { name: "SHA-256 fingerprint" }).fill("12:34");
    await page.getByRole("textbox", { name: "Reason" }).fill("x");
    await page.getByRole("button", { name: "Block certificate" }).click();
    await expect(page.getByRole("form", { name: "Block a certificate by fingerprint or serial number" }).getByRole("alert")).toContainText("SHA-256 fingerprint must be 64 hexadecimal digits");
    await expect(page.getByRole("textbox", { name: "SHA-256 fingerprint" })).toHaveAttribute("aria-invalid", "true");
  });
});
