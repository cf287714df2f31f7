/**
 * Issue #14 part 3: the console's live parts, against the real gateway (started by the e2e server on the console's
 * port + 1000). The access log shows a new decision within 5 s without a reload, and stops while Live is off; the
 * Overview's counters and chart refresh on their own; the sidebar counts open alerts.
 */
import path from "node:path";
import type { Browser, Page } from "@playwright/test";
import { STATE } from "./credentials";
import { expect, test, uniqueName } from "./fixtures";
import { addApplication, MTLS } from "./helpers/console";
import { generateRoot } from "./helpers/certs";
import { gatewayStatus } from "./helpers/gateway";

const root = path.resolve(__dirname, "..");

/** A second signed-in admin, in its own browser context (its own window): the page under test stays as it is. */
async function otherAdmin(browser: Browser) {
  const ctx = await browser.newContext({ storageState: path.join(root, STATE.admin) });
  return { page: await ctx.newPage(), close: () => ctx.close() };
}

/** A request through the gateway once it knows `host` (it reloads its hostnames when the configuration changes). */
async function blockedRequest(host: string, target: string) {
  await expect.poll(() => gatewayStatus(host, target), { timeout: 15_000 }).toBe(403);
}

/** The rows the log holds for `host` (the same route handler the page polls). */
async function loggedPaths(page: Page, host: string): Promise<string[]> {
  const res = await page.request.get(`/api/console/access-log?hostname=${encodeURIComponent(host)}`);
  expect(res.status()).toBe(200);
  return ((await res.json()).items as { path: string | null }[]).map((i) => i.path ?? "");
}

test.describe("live console", () => {
  test("the access log shows a gateway decision within 5 s without reload; Live off stops updates", async ({ adminPage: page, browser }) => {
    test.setTimeout(120_000);
    const host = `${uniqueName("live")}.example.com`;
    const setup = await otherAdmin(browser);
    await addApplication(setup.page, uniqueName("Live app"), host);
    await setup.close();

    await page.goto("/access-log");
    const live = page.getByRole("switch", { name: "Live" });
    await expect(live).toBeChecked();
    // Neither a reload nor a focus move may happen: a marker on the window, and focus left on a filter field.
    await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 1));
    await page.getByRole("combobox", { name: "Decision" }).focus();

    await blockedRequest(host, "/live-first");
    const first = page.getByRole("row").filter({ hasText: host }).filter({ hasText: "/live-first" });
    await expect(first).toBeVisible({ timeout: 5_000 });
    await expect(page.getByRole("status").filter({ hasText: /^\d+ new decisions?, the latest at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/ })).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(1);
    await expect(page.getByRole("combobox", { name: "Decision" })).toBeFocused();

    // Live off: a decision the log holds does not appear; on again, it does.
    await live.uncheck();
    await expect(live).not.toBeChecked();
    expect(gatewayStatus(host, "/live-second")).toBe(403);
    await expect.poll(() => loggedPaths(page, host), { timeout: 5_000 }).toContain("/live-second");
    await page.waitForTimeout(5_000);
    const second = page.getByRole("row").filter({ hasText: host }).filter({ hasText: "/live-second" });
    await expect(second).toHaveCount(0);
    await live.check();
    await expect(second).toBeVisible({ timeout: 5_000 });
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(1);

    // Explain still opens Test mTLS with the request.
    await first.getByRole("button", { name: "Explain" }).click();
    await expect(page).toHaveURL(/\/access-controls\/test\?explain=\d+$/);
    await expect(page.getByRole("textbox", { name: "URL" })).toHaveValue(`https://${host}/live-first`);
  });

  test("Live is unavailable on older pages of the log", async ({ viewerPage: page }) => {
    await page.goto(`/access-log?before=${encodeURIComponent("2000-01-01T00:00:00.000Z_1")}`);
    await expect(page.getByRole("switch", { name: "Live" })).toBeDisabled();
    await expect(page.getByRole("switch", { name: "Live" })).not.toBeChecked();
    await expect(page.getByText("Live updates follow the newest page.")).toBeVisible();
    await expect(page.getByRole("navigation", { name: "Pagination" }).or(page.getByText("No gateway decisions yet"))).toBeVisible();
  });

  test("the Overview's counter and chart change without reload", async ({ viewerPage: page, browser }) => {
    test.setTimeout(120_000);
    await page.goto("/");
    const tile = page.getByRole("main").getByRole("link", { name: /^Applications \d+$/ });
    const count = async () => Number(/\d+$/.exec((await tile.textContent()) ?? "")?.[0]);
    await expect(tile).toBeVisible();
    const before = await count();
    await page.evaluate(() => ((window as unknown as { liveMarker: number }).liveMarker = 1));

    const host = `${uniqueName("overview")}.example.com`;
    const setup = await otherAdmin(browser);
    await addApplication(setup.page, uniqueName("Overview app"), host);
    await setup.close();
    await expect.poll(count, { timeout: 15_000 }).toBeGreaterThan(before);

    // A decision through the gateway reaches the chart on its next refresh: the Blocked column's sum (the table
    // under "Show the data as a table", whose last row adds up the applications beyond the top ten) grows.
    const cells = page.locator("table", { has: page.locator("caption", { hasText: "Gateway decisions per application, last 24 hours" }) }).locator("tbody td:nth-child(3)");
    const blocked = async () => (await cells.allTextContents()).reduce((n, t) => n + Number(t), 0);
    const blockedBefore = await blocked();
    await blockedRequest(host, "/overview");
    await expect.poll(blocked, { timeout: 15_000 }).toBeGreaterThan(blockedBefore);
    expect(await page.evaluate(() => (window as unknown as { liveMarker?: number }).liveMarker)).toBe(1);
  });

  test("the sidebar counts open alerts next to Alerts", async ({ adminPage: page }) => {
    const nav = page.getByRole("navigation", { name: "Main" });
    // The link's name stays exactly "Alerts" (suites match it exactly); the count is its accessible description.
    const alerts = nav.getByRole("link", { name: "Alerts", exact: true });
    // The count so far (other specs may have raised alerts): from the description, none when nothing is open.
    const open = async () => {
      const described = await alerts.getAttribute("aria-describedby");
      return described ? Number(/^(\d+) open alert/.exec((await page.locator(`[id="${described}"]`).textContent()) ?? "")?.[1]) : 0;
    };
    await page.goto("/alerts");
    const before = await open();

    // A CA that expires in 10 days: one more open alert.
    const name = uniqueName("live-expiring-ca");
    await page.goto(`${MTLS}/new`);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(name);
    await page.getByRole("textbox", { name: "Certificate content" }).fill(generateRoot(`/O=Portcullis e2e/CN=${name}`, { days: 10 }).pem);
    await page.getByRole("button", { name: "Save", exact: true }).click();
    await expect(page).not.toHaveURL(/\/new$/);

    await page.goto("/");
    const words = `${before + 1} open alert${before + 1 === 1 ? "" : "s"}`;
    await expect(alerts).toHaveAccessibleName("Alerts");
    await expect(alerts).toHaveAccessibleDescription(words);
    await expect(nav.getByText(String(before + 1), { exact: true })).toBeVisible();
    await alerts.click();
    await expect(page.getByRole("heading", { level: 1, name: "Alerts" })).toBeVisible();
  });
});
