/** The Add mTLS Certificate page and its live inspector, shared by the Mutual TLS specs. */
import type { Page } from "@playwright/test";
import { expect } from "../fixtures";

export const LIST = "/access-controls/service-credentials/mutual-tls";

export const inspector = (page: Page) => page.getByRole("region", { name: "Certificate chain inspector" });
export const certificates = (page: Page) => inspector(page).getByRole("list", { name: "Certificates" }).getByRole("listitem");

/** Replaces the text box's value in one input event, as a paste does (fill() types through the editing commands). */
export async function pasteInto(page: Page, text: string) {
  await page.getByLabel("Certificate content").evaluate((el, value) => {
    const ta = el as HTMLTextAreaElement;
    Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(ta, value);
    ta.dispatchEvent(new Event("input", { bubbles: true }));
  }, text);
}

/** Records every aria-busy value the inspector region takes from now on (read back with busyHistory). */
export async function watchBusy(page: Page) {
  await inspector(page).evaluate((el) => {
    const seen: string[] = [];
    (window as unknown as { __busy: string[] }).__busy = seen;
    new MutationObserver(() => seen.push(el.getAttribute("aria-busy") ?? "")).observe(el, { attributes: true, attributeFilter: ["aria-busy"] });
  });
}
export const busyHistory = (page: Page) => page.evaluate(() => (window as unknown as { __busy: string[] }).__busy.splice(0));

/** The inspector has finished: not busy, and shows `summary` (e.g. "2 certificates, 0 errors, 0 warnings"). */
export async function expectSettled(page: Page, summary: string | RegExp, count: number) {
  await expect(inspector(page)).toHaveAttribute("aria-busy", "false");
  await expect(inspector(page)).toContainText(summary);
  await expect(certificates(page)).toHaveCount(count);
}

export async function openAddPage(page: Page) {
  await page.goto(LIST);
  await page.getByRole("button", { name: "Add mTLS Certificate" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "Add mTLS Certificate" })).toBeVisible();
}
