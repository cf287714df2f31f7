import { X509Certificate } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Page } from "@playwright/test";
import { expect, test, uniqueName } from "./fixtures";
import { generateRoot, generateSeedChain, pemToDer, type SeedChain } from "./helpers/certs";

const LIST = "/access-controls/service-credentials/mutual-tls";

let seed: SeedChain;
test.beforeAll(() => {
  const tag = uniqueName("e2e");
  seed = generateSeedChain({ rootCN: `Root ${tag}`, intermediateCN: `Intermediate ${tag}` });
});

const inspector = (page: Page) => page.getByRole("region", { name: "Certificate chain inspector" });
const certificates = (page: Page) => inspector(page).getByRole("list", { name: "Certificates" }).getByRole("listitem");

/** Replaces the text box's value in one input event, as a paste does (fill() types through the editing commands). */
async function pasteInto(page: Page, text: string) {
  await page.getByLabel("Certificate content").evaluate((el, value) => {
    const ta = el as HTMLTextAreaElement;
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(ta, value);
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
}

/** Records every aria-busy value the inspector region takes from now on (read back with busyHistory). */
async function watchBusy(page: Page) {
  await inspector(page).evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { __busy: string[] }).__busy = seen;
    new MutationObserver(() => seen.push(el.getAttribute("aria-busy") ?? "")).observe(el, { attributes: true, attributeFilter: ["aria-busy"] });
  });
}
const busyHistory = (page: Page) => page.evaluate(() => (window as unknown as { __busy: string[] }).__busy.splice(0));

/** The inspector has finished: not busy, and shows `summary` (e.g. "2 certificates, 0 errors, 0 warnings"). */
async function expectSettled(page: Page, summary: string | RegExp, count: number) {
  await expect(inspector(page)).toHaveAttribute("aria-busy", "false");
  await expect(inspector(page)).toContainText(summary);
  await expect(certificates(page)).toHaveCount(count);
}

async function openAddPage(page: Page) {
  await page.goto(LIST);
  await page.getByRole("button", { name: "Add mTLS Certificate" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add mTLS Certificate" })).toBeVisible();
}

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
    await page.reload();
    await expect(page.getByRole("group", { name: host }).getByRole("switch", { name: "Client certificate forwarding" })).toHaveAttribute("aria-checked", "true");
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

  test("the public-root bundle stays responsive: every certificate listed, details collapsed beyond the first few", async ({ adminPage: page }) => {
    const bundlePath = "/etc/ssl/certs/ca-certificates.crt";
    test.skip(!existsSync(bundlePath), "no system CA bundle on this machine");
    const bundle = readFileSync(bundlePath, "utf8");
    const distinct = new Set(bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)).size;
    await openAddPage(page);
    // Through the file input (a 220 KB fill() would measure Playwright's typing, not the page).
    await page.getByLabel("Upload certificate file").setInputFiles(bundlePath);
    await expect(page.getByLabel("Certificate content")).toHaveValue(bundle);
    await expect(certificates(page)).toHaveCount(distinct);
    await expect(inspector(page)).toContainText(`${distinct} certificates`);
    // Typing elsewhere is not blocked while the bundle is inspected.
    const name = page.getByLabel("Name", { exact: true });
    await name.pressSequentially("Public roots");
    await expect(name).toHaveValue("Public roots");
    await expect(certificates(page).nth(0).getByText("SHA-256 fingerprint")).toBeVisible();
    const last = certificates(page).nth(distinct - 1);
    await expect(last.getByText("SHA-256 fingerprint")).toHaveCount(0);
    await last.locator("summary").click();
    await expect(last.getByText("SHA-256 fingerprint")).toBeVisible();
  });

  test("a pasted CA bundle collapses the text box (value intact) until Show text; a small paste shows the text", async ({ adminPage: page }) => {
    const bundlePath = "/etc/ssl/certs/ca-certificates.crt";
    test.skip(!existsSync(bundlePath), "no system CA bundle on this machine");
    const bundle = readFileSync(bundlePath, "utf8");
    const blocks = bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    const distinct = new Set(blocks).size;
    const kb = Math.round(Buffer.byteLength(bundle) / 1024);
    await openAddPage(page);
    const content = page.getByRole("textbox", { name: "Certificate content" });
    const showText = page.getByRole("button", { name: "Show text" });

    await pasteInto(page, bundle);
    // Same control, same name and value; its text is not laid out, a summary (its description) says why.
    await expect(showText).toBeVisible();
    await expect(content).toHaveAttribute("data-collapsed", "true");
    await expect(content).toHaveCSS("content-visibility", "hidden");
    await expect(content).toBeVisible();
    await expect(content).toHaveValue(bundle);
    await expect(content).toHaveAccessibleDescription(new RegExp(`^${kb} KB of PEM — ${blocks.length} blocks\\. The text box is collapsed so the page stays responsive\\.`));
    await expect(certificates(page)).toHaveCount(distinct);
    await expect(inspector(page)).toHaveAttribute("aria-busy", "false");
    await expect(inspector(page)).toContainText(`${distinct} certificates`);
    await expect(inspector(page)).toContainText("Overall verdict");

    // Show text: the text is laid out again and the box has the focus.
    await showText.click();
    await expect(showText).toHaveCount(0);
    await expect(content).not.toHaveAttribute("data-collapsed");
    await expect(content).toHaveCSS("content-visibility", "visible");
    await expect(content).toBeFocused();
    await expect(content).toHaveValue(bundle);
    await expect(content).not.toHaveAccessibleDescription(/collapsed/);

    // Typing in the large box keeps it shown; a large change in one step (here: half the bundle) collapses it again;
    // focusing it reveals it.
    await content.press("End");
    await content.pressSequentially("x");
    await expect(content).toHaveValue(bundle + "x");
    await expect(showText).toHaveCount(0);
    const half = bundle.slice(0, bundle.indexOf("-----BEGIN", bundle.length / 2));
    await pasteInto(page, half);
    await expect(showText).toBeVisible();
    await expect(content).toHaveValue(half);
    await page.getByLabel("Name", { exact: true }).focus();
    await content.focus();
    await expect(showText).toHaveCount(0);
    await expect(content).toHaveCSS("content-visibility", "visible");

    // fill() (focus, select all, insert the text) of a large value — over 400 lines; fill() of the whole bundle takes
    // Chromium's editing commands most of a minute — leaves it collapsed with the whole value, which the form submits.
    const manyLines = seed.chainPem.repeat(12);
    expect(manyLines.split("\n").length).toBeGreaterThan(400);
    await content.fill(manyLines);
    await expect(showText).toBeVisible();
    await expect(content).toHaveValue(manyLines);
    expect(await content.evaluate((el) => new FormData((el as HTMLTextAreaElement).form!).get("certificate"))).toBe(manyLines);
    await expect(content).toHaveAccessibleDescription(/^\d+ KB of PEM — 24 blocks\. The text box is collapsed/);

    // A small paste: the text is shown as usual, no summary.
    await pasteInto(page, seed.chainPem);
    await expect(showText).toHaveCount(0);
    await expect(content).toHaveCSS("content-visibility", "visible");
    await expect(content).toHaveValue(seed.chainPem);
    await expectSettled(page, "2 certificates, 0 errors, 0 warnings", 2);
    // Clearing too.
    await pasteInto(page, bundle);
    await expect(showText).toBeVisible();
    await content.clear();
    await expect(showText).toHaveCount(0);
    await expect(content).toHaveValue("");
  });

  test("the inspector always settles: clearing, pasting the same text again, pasting while a parse is in flight", async ({ adminPage: page }) => {
    const chain = "2 certificates, 0 errors, 0 warnings";
    await openAddPage(page);
    const content = page.getByLabel("Certificate content");
    await pasteInto(page, seed.chainPem);
    await expectSettled(page, chain, 2);

    // Clear all: back to the empty state, no cards left over.
    await pasteInto(page, "");
    await expect(inspector(page)).toHaveAttribute("aria-busy", "false");
    await expect(inspector(page)).toContainText("Paste or upload the CA chain");
    await expect(certificates(page)).toHaveCount(0);

    // The same text again after clearing is inspected again (busy, then the verdict), not answered from the previous
    // paste without ever being busy: the benchmark, which waits for busy and then the verdict, once waited forever.
    await watchBusy(page);
    await pasteInto(page, seed.chainPem);
    await expectSettled(page, chain, 2);
    expect(await busyHistory(page)).toEqual(["true", "false"]);
    // Pasting identical text over itself changes nothing and stays settled.
    await pasteInto(page, seed.chainPem);
    await expectSettled(page, chain, 2);
    expect(await busyHistory(page)).toEqual([]);
    await content.fill(seed.chainPem);
    await expectSettled(page, chain, 2);

    // A large paste (120 blocks: the chain 60 times, duplicates dropped), then another text while the first is still
    // being inspected: the later text wins.
    const large = seed.chainPem.repeat(60);
    await pasteInto(page, large);
    await page.waitForTimeout(250); // past the debounce: the worker is parsing
    await pasteInto(page, seed.intermediatePem);
    await expectSettled(page, "1 certificate,", 1);
    await expect(inspector(page)).toContainText(/Error: .*incomplete chain|Error: .*root/i);
    await page.waitForTimeout(1000); // the large answer, if it arrives late, is ignored
    await expectSettled(page, "1 certificate,", 1);

    // Clear while a parse is in flight, then paste the same text again before the first answer arrives.
    await pasteInto(page, large);
    await page.waitForTimeout(200);
    await pasteInto(page, "");
    await pasteInto(page, large);
    await expectSettled(page, "2 certificates, 0 errors, 118 warnings", 2);
    await pasteInto(page, "");
    await expect(certificates(page)).toHaveCount(0);
    await expect(inspector(page)).toHaveAttribute("aria-busy", "false");
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
