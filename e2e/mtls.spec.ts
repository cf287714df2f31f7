import { X509Certificate } from "node:crypto";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot, generateSeedChain, pemToDer, type SeedChain } from "./helpers/certs";
import { certificates, inspector, LIST, openAddPage } from "./helpers/mtls-page";

let seed: SeedChain;
test.beforeAll(() => {
  const tag = uniqueName("e2e");
  seed = generateSeedChain({ rootCN: `Root ${tag}`, intermediateCN: `Intermediate ${tag}` });
});

test.describe("Mutual TLS", () => {
  test("seed walkthrough: paste intermediate then root, inspect, add hostnames, save", async ({ adminPage: page }) => {
    const name = uniqueName("Seed chain");
    const host = `${uniqueName("auth")}.example.com`;
    await openAddPage(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    const content = page.getByLabel("Certificate content");

    await content.fill(seed.intermediatePem);
    await expect(certificates(page)).toHaveCount(1);
    await expect(inspector(page)).toContainText(/Error: .*incomplete chain|Error: .*root/i);

    await content.fill(seed.intermediatePem + seed.rootPem);
    await expect(certificates(page)).toHaveCount(2);
    await expect(inspector(page)).toContainText("Overall verdict:");
    await expect(inspector(page)).toContainText("No problems found");
    const [int, root] = [new X509Certificate(seed.intermediatePem), new X509Certificate(seed.rootPem)];
    const first = certificates(page).nth(0);
    await expect(first).toContainText(`CN=${seed.intermediateCN}`);
    await expect(first).toContainText("Issuer");
    await expect(first).toContainText(`CN=${seed.rootCN}`);
    for (const label of ["Subject", "Serial number", "Valid from", "Valid to", "Signature algorithm", "Public key", "Basic constraints", "Key usage", "SHA-256 fingerprint"]) {
      await expect(first).toContainText(label);
    }
    await expect(first).toContainText(int.fingerprint256);
    await expect(first).toContainText("sha256WithRSAEncryption");
    await expect(first).toContainText("RSA 4096 bits");
    await expect(first).toContainText("CA:TRUE, critical");
    await expect(first).toContainText("Verdict: Valid");
    await expect(certificates(page).nth(1)).toContainText(root.fingerprint256);
    await expect(certificates(page).nth(1)).toContainText("Root CA");
    await expect(inspector(page).getByRole("button", { name: "Copy SHA-256 fingerprint of certificate 2" })).toBeVisible();

    const hosts = page.getByLabel("Associated hostnames");
    await hosts.fill(host);
    await hosts.press("Enter");
    await hosts.pressSequentially(`api.${host},`);
    await hosts.fill("localhost");
    await hosts.press("Enter");
    await expect(page.getByText('"localhost" is not a valid hostname: a fully-qualified domain name needs at least one dot')).toBeVisible();
    await hosts.fill("");
    await expect(page.getByRole("button", { name: `Remove ${host}` })).toBeVisible();
    await page.getByRole("button", { name: `Remove api.${host}` }).click();
    await expect(page.getByRole("button", { name: `Remove api.${host}` })).toHaveCount(0);
    await page.getByRole("button", { name: "Save" }).click();

    await expect(page).toHaveURL(new RegExp(`${LIST}\\?added=`));
    await expect(page.getByRole("status").filter({ hasText: `Added mTLS certificate ${name}.` })).toBeVisible();
    const row = page.getByRole("row").filter({ hasText: name });
    await expect(row).toContainText(host);
    await expect(row).toContainText("Valid");
    await expect(row).toContainText("MD5");
    for (const h of ["Name", "Associated hostnames", "Expires", "Fingerprint"]) await expect(page.getByRole("columnheader", { name: h, exact: true })).toBeVisible();

    // Configure: hostname settings switches persist; Download PEM returns the chain.
    await row.getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
    await expect(page.getByRole("heading", { name: "Hostname settings" })).toBeVisible();
    const group = page.getByRole("group", { name: host });
    const forwarding = group.getByRole("switch", { name: "Client certificate forwarding" });
    await expect(forwarding).toHaveAttribute("aria-checked", "false");
    await forwarding.click();
    await expect(group.getByRole("status")).toHaveText(`Saved settings for ${host}.`);
    const strict = group.getByRole("checkbox", { name: "Strict" });
    await expect(strict).not.toBeChecked();
    await strict.check();
    await expect(group.getByRole("status")).toHaveText(`Saved Strict validation for ${host}: on.`);
    // Forwarding presets: checkboxes in their own group, each saved at once.
    const presets = group.getByRole("group", { name: "Forwarding presets" });
    await expect(presets.getByRole("checkbox", { name: "X-Forwarded-Client-Cert" })).not.toBeChecked();
    await presets.getByRole("checkbox", { name: "TLS client auth headers" }).check();
    await expect(group.getByRole("status")).toHaveText(`Saved settings for ${host}.`);
    await page.reload();
    await expect(page.getByRole("group", { name: host }).getByRole("switch", { name: "Client certificate forwarding" })).toHaveAttribute("aria-checked", "true");
    await expect(page.getByRole("group", { name: host }).getByRole("checkbox", { name: "Strict" })).toBeChecked();
    await expect(page.getByRole("group", { name: host }).getByRole("checkbox", { name: "TLS client auth headers" })).toBeChecked();
    await expect(page.getByRole("group", { name: host }).getByRole("checkbox", { name: "RFC 9440 headers" })).not.toBeChecked();
    await expect(page.getByRole("group", { name: host }).getByRole("switch", { name: "China network" })).toHaveAttribute("aria-checked", "false");
    await expect(page.getByRole("listitem").filter({ hasText: `CN=${seed.intermediateCN}` }).first()).toContainText(int.fingerprint256);
    const href = await page.getByRole("link", { name: "Download PEM" }).getAttribute("href");
    const download = await page.request.get(href!);
    expect(download.headers()["content-disposition"]).toMatch(/^attachment; filename=".+\.pem"$/);
    expect(await download.text()).toBe(seed.chainPem);
  });

  test("a reversed chain is explained and fixed by Reorder", async ({ adminPage: page }) => {
    await openAddPage(page);
    const content = page.getByLabel("Certificate content");
    await content.fill(seed.rootPem + seed.intermediatePem);
    await expect(certificates(page)).toHaveCount(2);
    await expect(inspector(page)).toContainText(/Error: .*wrong order/);
    await expect(certificates(page).nth(0)).toContainText(`CN=${seed.rootCN}`);
    await inspector(page).getByRole("button", { name: "Reorder" }).click();
    await expect(content).toHaveValue(seed.chainPem);
    await expect(inspector(page)).toContainText("No problems found");
    await expect(certificates(page).nth(0)).toContainText(`CN=${seed.intermediateCN}`);
    await expect(inspector(page).getByRole("button", { name: "Reorder" })).toHaveCount(0);
  });

  test("a pasted private key is refused in the browser and never sent", async ({ adminPage: page }) => {
    const posted: string[] = [];
    page.on("request", (r) => {
      if (r.method() === "POST") posted.push(r.postData() ?? "");
    });
    await openAddPage(page);
    await page.getByLabel("Name", { exact: true }).fill(uniqueName("With key"));
    await page.getByLabel("Certificate content").fill(seed.chainPem + seed.rootKeyPem);
    await expect(inspector(page)).toContainText("Error: This is a private key. Paste only certificates; the key never leaves your machine.");
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page.getByRole("alert").filter({ hasText: "This is a private key" })).toBeVisible();
    await expect(page).toHaveURL(/\/new$/);
    expect(posted.filter((p) => p.includes("PRIVATE KEY"))).toEqual([]);
  });

  test("an HTML subject is shown as text and never runs", async ({ adminPage: page }) => {
    const dialogs: string[] = [];
    page.on("dialog", (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const html = "<img src=x onerror=alert(1)>";
    const root = generateRoot(`/CN=${html}`);
    const name = uniqueName("HTML subject");
    await openAddPage(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    await page.getByLabel("Certificate content").fill(root.pem);
    await expect(certificates(page)).toHaveCount(1);
    await expect(certificates(page).first()).toContainText(html);
    await expect(inspector(page).locator("img")).toHaveCount(0);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\?added=/);
    await page.getByRole("row").filter({ hasText: name }).getByRole("button", { name: "Configure" }).click();
    await expect(page.getByRole("listitem").filter({ hasText: html })).toHaveCount(1);
    await expect(page.locator("main img")).toHaveCount(0);
    expect(dialogs).toEqual([]);
  });

  test("viewers see no write controls and the server refuses their writes", async ({ adminPage, viewerPage }) => {
    // The admin's Add form carries the server action reference a crafted POST would use.
    await adminPage.goto(`${LIST}/new`);
    const fields = await adminPage.locator('form input[type="hidden"][name^="$ACTION"]').evaluateAll((els) =>
      Object.fromEntries(els.map((e) => [(e as HTMLInputElement).name, (e as HTMLInputElement).value])),
    );
    expect(Object.keys(fields).length).toBeGreaterThan(0);

    await viewerPage.goto(LIST);
    await expect(viewerPage.getByRole("heading", { level: 1, name: "Mutual TLS" })).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Add mTLS Certificate" })).toHaveCount(0);
    await expect(viewerPage.getByRole("button", { name: "Delete" })).toHaveCount(0);
    await expect(viewerPage.getByRole("button", { name: "Configure" }).first()).toBeVisible();

    const name = uniqueName("Viewer upload");
    const res = await viewerPage.request.post(`${LIST}/new`, { multipart: { ...fields, name, certificate: seed.chainPem } });
    expect(await res.text()).toContain("read-only");
    await adminPage.goto(`${LIST}?q=${encodeURIComponent(name)}`);
    await expect(adminPage.getByText("No certificates match this filter")).toBeVisible();

    await viewerPage.getByRole("button", { name: "Configure" }).first().click();
    await expect(viewerPage.getByRole("heading", { name: "Hostname settings" })).toBeVisible();
    await expect(viewerPage.getByRole("button", { name: "Save" })).toHaveCount(0);
    await expect(viewerPage.getByRole("link", { name: "Download PEM" })).toBeVisible();
  });

  test("delete asks for confirmation", async ({ adminPage: page }) => {
    const root = generateRoot(`/CN=${uniqueName("Delete me")}`);
    const name = uniqueName("To delete");
    await openAddPage(page);
    await page.getByLabel("Name", { exact: true }).fill(name);
    // A DER file is converted to PEM in the browser.
    await page.getByLabel("Upload certificate file").setInputFiles({ name: "root.der", mimeType: "application/x-x509-ca-cert", buffer: pemToDer(root.pem) });
    await expect(page.getByLabel("Certificate content")).toHaveValue(root.pem);
    await expect(certificates(page)).toHaveCount(1);
    await page.getByRole("button", { name: "Save" }).click();
    await expect(page).toHaveURL(/\?added=/);
    const row = page.getByRole("row").filter({ hasText: name });
    await row.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${name}?` });
    await expect(dialog).toBeVisible();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await expect(row).toBeVisible();
    await row.getByRole("button", { name: "Delete" }).click();
    await dialog.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("status").filter({ hasText: `Deleted mTLS certificate ${name}.` })).toBeVisible();
    await expect(page.getByRole("row").filter({ hasText: name })).toHaveCount(0);
  });
});
