/**
 * Access controls → Client certificates, in Chromium against the real gateway: a key generated in the browser,
 * the certificate issued from its CSR, the PKCS#12 file assembled in the page (modern and legacy) opened by
 * `openssl pkcs12`, and the extracted key and certificate used by curl through the gateway (allowed); Revoke →
 * refused within seconds; Reactivate → allowed again. The private key is in no request the page sent and nowhere
 * in the data directory. The managed CA on Mutual TLS: marked Managed, rotation, backup export and its import;
 * viewers read only.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Download, Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { addApplication, addPolicy, MTLS } from "./helpers/console";
import { gatewayStatus } from "./helpers/gateway";

const PAGE = "/access-controls/service-credentials/client-certificates";
/** Allowed requests are proxied; these applications have no origin, so allowed means 502 (Bad Gateway). */
const ALLOWED = 502;
const PASSWORD = "e2e p12 password";
const dataDir = path.resolve(__dirname, "..", process.env.E2E_TMP || ".tmp", "e2e-data");
const work = mkdtempSync(path.join(os.tmpdir(), "portcullis-e2e-client-certs-"));

async function save(page: Page, click: () => Promise<void>, name: string): Promise<string> {
  const [download]: [Download, void] = await Promise.all([page.waitForEvent("download"), click()]);
  const file = path.join(work, name);
  await download.saveAs(file);
  return file;
}

const openssl = (args: string[]) => spawnSync("openssl", args, { cwd: work, encoding: "utf8" });

/** Every file under `dir` (the PGlite data directory), read whole. */
function* filesUnder(dir: string): Generator<Buffer> {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) yield* filesUnder(p);
    else if (st.isFile()) yield readFileSync(p);
  }
}

test.describe("client certificates", () => {
  test("a key generated in the browser: create, PKCS#12, the gateway allows it, Revoke refuses it, Reactivate allows it", async ({ adminPage: page }) => {
    test.setTimeout(240_000);
    const sent: Buffer[] = [];
    page.on("request", (r) => {
      const body = r.postDataBuffer();
      if (body) sent.push(body);
    });
    await page.goto("/");
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "Client certificates", exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${PAGE}$`));
    await expect(page.getByRole("heading", { level: 1, name: "Client certificates" })).toBeVisible();
    await expect(nav.getByRole("link", { name: "Client certificates", exact: true })).toHaveAttribute("aria-current", "page");

    const label = uniqueName("kiosk");
    const cn = uniqueName("kiosk-device");
    await page.getByRole("button", { name: "Create client certificate" }).click();
    const form = page.getByRole("form", { name: "Create client certificate" });
    await expect(form.getByRole("textbox", { name: "CSR" })).toBeVisible();
    await form.getByRole("button", { name: "Generate a key in the browser" }).click();
    await expect(form.getByRole("button", { name: "Generate a key in the browser" })).toHaveAttribute("aria-pressed", "true");
    await expect(form.getByRole("textbox", { name: "CSR" })).toHaveCount(0);
    await form.getByRole("textbox", { name: "Common Name" }).fill(cn);
    const validity = form.getByRole("combobox", { name: "Validity" });
    await expect(validity.locator("option:checked")).toHaveText("10 years");
    await form.getByRole("textbox", { name: "Label" }).fill(label);
    await form.getByRole("button", { name: "Create", exact: true }).click();

    const result = page.getByRole("region", { name: "New client certificate" });
    await expect(result.getByRole("textbox", { name: "Certificate" })).toHaveValue(/^-----BEGIN CERTIFICATE-----/);
    await expect(result.getByRole("textbox", { name: "Chain" })).toHaveValue(/(-----BEGIN CERTIFICATE-----[\s\S]*){2}/);
    const certFile = await save(page, () => result.getByRole("button", { name: "Download certificate" }).click(), "client.pem");
    expect(openssl(["x509", "-in", certFile, "-noout", "-subject"]).stdout).toContain(`CN = ${cn}`);
    const keyFile = await save(page, () => result.getByRole("button", { name: "Download private key" }).click(), "client.key");
    const keyPem = readFileSync(keyFile, "utf8");
    expect(keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);

    // PKCS#12, modern then legacy, each opened by openssl with the password typed in the page.
    await result.getByRole("button", { name: "Download PKCS#12" }).click();
    await expect(result.getByText("The PKCS#12 password must be at least 8 characters.")).toBeVisible();
    await result.getByLabel("PKCS#12 password").fill(PASSWORD);
    const p12 = await save(page, () => result.getByRole("button", { name: "Download PKCS#12" }).click(), "client.p12");
    const info = openssl(["pkcs12", "-info", "-in", p12, "-nodes", "-passin", `pass:${PASSWORD}`]);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stderr).toContain("AES-256-CBC");
    await result.getByRole("checkbox", { name: "Legacy encryption for older devices" }).check();
    const legacyP12 = await save(page, () => result.getByRole("button", { name: "Download PKCS#12" }).click(), "client-legacy.p12");
    const legacyInfo = openssl(["pkcs12", "-info", "-in", legacyP12, "-nodes", "-passin", `pass:${PASSWORD}`]);
    expect(legacyInfo.status, legacyInfo.stderr).toBe(0);
    expect(legacyInfo.stderr).toContain("pbeWithSHA1And3-KeyTripleDES-CBC");
    // What a device gets out of the file: the key and the certificate, for curl.
    const cert = path.join(work, "extracted.crt");
    const key = path.join(work, "extracted.key");
    execFileSync("openssl", ["pkcs12", "-in", p12, "-clcerts", "-nokeys", "-passin", `pass:${PASSWORD}`, "-out", cert]);
    execFileSync("openssl", ["pkcs12", "-in", p12, "-nocerts", "-nodes", "-passin", `pass:${PASSWORD}`, "-out", key]);
    const publicKey = (file: string) => execFileSync("openssl", ["pkey", "-in", file, "-pubout"], { encoding: "utf8" });
    expect(publicKey(key)).toBe(publicKey(keyFile));

    const row = page.getByRole("row").filter({ hasText: label });
    await expect(row).toContainText(cn);
    await expect(row.getByText("Active", { exact: true })).toBeVisible();

    // The managed CA (created by this first issue) on Mutual TLS, marked Managed, associated with a hostname.
    const host = `${uniqueName("device")}.e2e.example.com`;
    await page.goto(MTLS);
    const caRow = page.getByRole("table", { name: "mTLS certificates" }).getByRole("row").filter({ has: page.getByText("Managed", { exact: true }) }).first();
    await caRow.getByRole("button", { name: "Configure" }).click();
    const hosts = page.getByLabel("Associated hostnames");
    await hosts.fill(host);
    await hosts.press("Enter");
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Saved." })).toBeVisible();
    const policy = uniqueName("devices with a certificate");
    await addPolicy(page, policy, "Allow", "Valid Certificate");
    await addApplication(page, uniqueName("device app"), host, policy);

    const client = { cert, key };
    await expect.poll(() => gatewayStatus(host, "/", client), { timeout: 15_000 }).toBe(ALLOWED);
    expect(gatewayStatus(host, "/")).toBe(403);

    // Revoke in the UI (a reason is asked): refused within seconds.
    await page.goto(PAGE);
    await row.getByRole("button", { name: "Revoke" }).click();
    const dialog = page.getByRole("dialog", { name: "Revoke client certificate" });
    await dialog.getByRole("textbox", { name: "Reason" }).fill("Kiosk stolen");
    await dialog.getByRole("button", { name: "Revoke" }).click();
    await expect(row.getByText(/^(Revoked|Pending revocation)$/)).toBeVisible();
    await expect.poll(() => gatewayStatus(host, "/", client), { timeout: 5_000 }).toBe(403);

    // Reactivate: allowed again.
    await row.getByRole("button", { name: "Reactivate" }).click();
    await expect(row.getByText("Active", { exact: true })).toBeVisible();
    await expect.poll(() => gatewayStatus(host, "/", client), { timeout: 5_000 }).toBe(ALLOWED);

    // The key never left the page: in no request body, and nowhere in the data directory.
    const keyDer = Buffer.from(keyPem.replace(/-----[^-]+-----|\s/g, ""), "base64");
    const keyLines = keyPem.split("\n").filter((l) => l.length === 64);
    expect(keyLines.length).toBeGreaterThan(1);
    expect(sent.length).toBeGreaterThan(0);
    for (const body of [...sent, ...filesUnder(dataDir)]) {
      expect(body.includes(keyDer)).toBe(false);
      for (const l of keyLines) expect(body.includes(l)).toBe(false);
    }
  });

  test("a pasted CSR: a clear error for what is not one; the certificate without a key to download", async ({ adminPage: page }) => {
    await page.goto(PAGE);
    await page.getByRole("button", { name: "Create client certificate" }).click();
    const form = page.getByRole("form", { name: "Create client certificate" });
    await form.getByRole("textbox", { name: "CSR" }).fill("not a CSR");
    await form.getByRole("button", { name: "Create", exact: true }).click();
    await expect(form.getByRole("alert").first()).toBeVisible();
    await expect(form.getByRole("textbox", { name: "CSR" })).toHaveAttribute("aria-invalid", "true");

    const keyFile = path.join(work, "pasted.key");
    execFileSync("openssl", ["genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", keyFile]);
    const csr = execFileSync("openssl", ["req", "-new", "-key", keyFile, "-subj", "/CN=pasted-csr"], { encoding: "utf8" });
    const csrFile = path.join(work, "pasted.csr");
    writeFileSync(csrFile, csr);
    await form.getByLabel("Upload CSR file").setInputFiles(csrFile);
    await expect(form.getByRole("textbox", { name: "CSR" })).toHaveValue(csr);
    const label = uniqueName("pasted");
    await form.getByRole("textbox", { name: "Label" }).fill(label);
    await form.getByRole("combobox", { name: "Validity" }).selectOption({ label: "1 year" });
    await form.getByRole("button", { name: "Create", exact: true }).click();
    const result = page.getByRole("region", { name: "New client certificate" });
    await expect(result.getByRole("button", { name: "Download certificate" })).toBeVisible();
    await expect(result.getByRole("button", { name: "Download private key" })).toHaveCount(0);
    await expect(result.getByRole("button", { name: "Download PKCS#12" })).toHaveCount(0);
    await expect(page.getByRole("row").filter({ hasText: label })).toContainText("pasted-csr");

    // Search and status filter (the list kit's form).
    const filter = page.getByRole("search", { name: "Filter client certificates" });
    await filter.getByRole("searchbox", { name: "Search" }).fill(label);
    await filter.getByRole("combobox", { name: "Status" }).selectOption({ label: "Revoked" });
    await filter.getByRole("button", { name: "Filter" }).click();
    await expect(page.getByText("No client certificates match this filter")).toBeVisible();
    await page.getByRole("search", { name: "Filter client certificates" }).getByRole("combobox", { name: "Status" }).selectOption({ label: "Active" });
    await page.getByRole("search", { name: "Filter client certificates" }).getByRole("button", { name: "Filter" }).click();
    await expect(page.getByRole("table", { name: "Client certificates" }).getByRole("row")).toHaveCount(2);
    for (const h of ["Label", "Common Name", "Serial number", "Expires", "Status"]) await expect(page.getByRole("columnheader", { name: h, exact: true })).toBeVisible();
  });

  test("the managed CA on Mutual TLS: rotation, backup export read by openssl, its import refused here as a duplicate", async ({ adminPage: page }) => {
    test.setTimeout(120_000);
    await page.goto(MTLS);
    const section = page.getByRole("region", { name: "Managed CA" });
    const table = section.getByRole("table", { name: "Managed CAs" });
    const before = await table.getByRole("row").count();
    await section.getByRole("form", { name: "Create a new managed CA" }).getByRole("combobox", { name: "Key type" }).selectOption({ label: "RSA 2048" });
    await section.getByRole("button", { name: "Create a new managed CA" }).click();
    await expect(table.getByRole("row")).toHaveCount(before + 1);
    const newest = table.getByRole("row").nth(1);
    await expect(newest).toContainText("RSA 2048");
    await expect(newest.getByText("Issuing", { exact: true })).toBeVisible();
    await expect(table.getByText("Trusted, not issuing", { exact: true }).first()).toBeVisible();
    await expect(page.getByRole("table", { name: "mTLS certificates" }).getByText("Managed", { exact: true })).toHaveCount(before);

    await newest.getByRole("button", { name: "Export PKCS#12" }).click();
    const dialog = page.getByRole("dialog", { name: "Export the managed CA" });
    await dialog.getByLabel("Backup password").fill(PASSWORD);
    const backup = await save(page, () => dialog.getByRole("button", { name: "Export" }).click(), "managed-ca.p12");
    const info = openssl(["pkcs12", "-info", "-in", backup, "-nodes", "-passin", `pass:${PASSWORD}`]);
    expect(info.status, info.stderr).toBe(0);
    expect(info.stdout).toMatch(/-----BEGIN PRIVATE KEY-----/);
    await dialog.getByRole("button", { name: "Close" }).click();

    const importForm = section.getByRole("form", { name: "Import a managed CA" });
    await importForm.getByLabel("PKCS#12 file").setInputFiles(backup);
    await importForm.getByLabel("Backup password").fill(PASSWORD);
    await importForm.getByRole("button", { name: "Import" }).click();
    await expect(importForm.getByRole("alert")).toContainText("already on this installation");
  });

  test("viewers see the list without write controls", async ({ viewerPage: page }) => {
    await page.goto(PAGE);
    await expect(page.getByRole("heading", { level: 1, name: "Client certificates" })).toBeVisible();
    await expect(page.getByRole("status").filter({ hasText: "You have read-only access" })).toBeVisible();
    await expect(page.getByRole("button", { name: "Create client certificate" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Reactivate" })).toHaveCount(0);
    await page.goto(MTLS);
    await expect(page.getByRole("button", { name: "Create a new managed CA" })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Export PKCS#12" })).toHaveCount(0);
  });
});
