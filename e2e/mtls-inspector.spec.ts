/** The Add mTLS Certificate inspector under load: the public CA bundle, the collapsed text box, and edits that must always settle. */
import { readFileSync } from "node:fs";
import { expect, test, uniqueName } from "./fixtures";
import { generateSeedChain, type SeedChain } from "./helpers/certs";
import { addChain } from "./helpers/console";
import { busyHistory, certificates, expectSettled, inspector, openAddPage, pasteInto, watchBusy } from "./helpers/mtls-page";
import { CA_BUNDLE_PATH } from "../test/fixtures";

let seed: SeedChain;
test.beforeAll(() => {
  const tag = uniqueName("e2e");
  seed = generateSeedChain({ rootCN: `Root ${tag}`, intermediateCN: `Intermediate ${tag}` });
});

test.describe("Mutual TLS inspector", () => {
  test("the public-root bundle stays responsive: every certificate listed, details collapsed beyond the first few", async ({ adminPage: page }) => {
    const bundle = readFileSync(CA_BUNDLE_PATH, "utf8");
    const distinct = new Set(bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)).size;
    await openAddPage(page);
    // Through the file input (a 220 KB fill() would measure Playwright's typing, not the page).
    await page.getByLabel("Upload certificate file").setInputFiles(CA_BUNDLE_PATH);
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
    const bundle = readFileSync(CA_BUNDLE_PATH, "utf8");
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

  test("a CA that is already uploaded is named in the inspector, and saving it again is allowed", async ({ adminPage: page }) => {
    const first = uniqueName("Dup original");
    await addChain(page, first, seed.chainPem, `${uniqueName("dup")}.example.com`.toLowerCase());
    await openAddPage(page);
    await pasteInto(page, seed.rootPem);
    await expect(inspector(page).getByRole("list", { name: "Notices" })).toContainText(`This CA is already uploaded as “${first}”.`);
    // An unrelated CA gets no such notice.
    await pasteInto(page, generateSeedChain({ rootCN: uniqueName("Fresh root"), intermediateCN: uniqueName("Fresh int") }).rootPem);
    await expectSettled(page, "1 certificate", 1);
    await expect(inspector(page).getByRole("list", { name: "Notices" })).toHaveCount(0);
  });
});
