/**
 * Accessibility: axe-core (WCAG 2.1 A and AA rules) on every console page, read from app/ at test time like the
 * anonymous crawl, with seeded data so tables, lists and detail pages have content; plus the states a page only
 * reaches through the UI (Test mTLS with a result, Add mTLS with a pasted chain, a form showing its errors, open
 * dialogs), the pages viewers see, and sign-in. No serious or critical violation may remain; a failure prints
 * each rule with the elements it found. Also: the sidebar's background spans long pages, and the icons and
 * robots.txt are served to anyone signed out.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { STATE } from "./credentials";
import { expect, test, uniqueName } from "./fixtures";
import { createClientCertificate, expectNoViolations, expectSidebarSpansPage, seedA11y, SERVICE_TOKENS, type Seed } from "./helpers/a11y";
import { appRoutes } from "./helpers/app-routes";
import { APPS, MTLS, TEST_MTLS } from "./helpers/console";
import { expectSettled, openAddPage, pasteInto } from "./helpers/mtls-page";
import type { TestPki } from "../test/integration/test-mtls-pki";
import { CA_BUNDLE_PATH } from "../test/fixtures";

const root = path.resolve(__dirname, "..");

let seed: Seed;
let pki: TestPki;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(240_000);
  ({ seed, pki } = await seedA11y(browser));
});

/**
 * Dynamic segments of the console's pages → placeholders replaced with the seeded ids when the test runs. Any other
 * segment (route handlers, or a new page) gets "{unknown}": only pages are checked here, and a page with it fails below.
 */
const SEEDED: Record<string, string[]> = { "applications/[id]": ["{app}"], "policies/[id]": ["{policy}"], "mutual-tls/[id]": ["{cert}"] };
const PLACEHOLDERS = new Proxy(SEEDED, { get: (t, key: string) => t[key] ?? (key.includes("/") ? undefined : ["{unknown}"]) });
const fill = (url: string) => url.replace("{app}", seed.appId).replace("{policy}", seed.policyId).replace("{cert}", seed.certId);

/**
 * What each console page must show before it is checked, so that a page is judged with its data (a table with
 * rows, a detail page of a real object), not an empty state, an error or a redirect. A page missing here fails:
 * a new page is checked from the day it is added.
 */
const CONTENT: Record<string, (page: Page) => Promise<void>> = {
  "app/(console)/page.tsx": async (page) => {
    await hasRows(page, "Recent audit events");
    await expect(page.getByRole("status").filter({ hasText: /within 30 days/ })).toBeVisible();
  },
  "app/(console)/access-controls/applications/page.tsx": (page) => hasRows(page, "Applications"),
  "app/(console)/access-controls/applications/new/page.tsx": (page) => h1(page, "Add an application"),
  "app/(console)/access-controls/applications/[id]/page.tsx": (page) => h1(page, seed.appName),
  "app/(console)/access-controls/mtls-setup/page.tsx": (page) => h1(page, "Set up mutual TLS"),
  "app/(console)/access-controls/policies/page.tsx": (page) => hasRows(page, "Policies"),
  "app/(console)/access-controls/policies/new/page.tsx": (page) => h1(page, "Add a policy"),
  // "Edit policy <name>" for admins, the name for viewers.
  "app/(console)/access-controls/policies/[id]/page.tsx": (page) => h1(page, seed.policyName),
  "app/(console)/access-controls/service-credentials/mutual-tls/page.tsx": (page) => hasRows(page, "mTLS certificates"),
  "app/(console)/access-controls/service-credentials/mutual-tls/new/page.tsx": (page) => h1(page, "Add mTLS Certificate"),
  "app/(console)/access-controls/service-credentials/mutual-tls/[id]/page.tsx": async (page) => {
    await h1(page, seed.certName);
    await hasRows(page, "Revoked certificates");
  },
  "app/(console)/access-controls/service-credentials/service-tokens/page.tsx": (page) => hasRows(page, "Service tokens"),
  "app/(console)/access-controls/service-credentials/client-certificates/page.tsx": (page) => hasRows(page, "Client certificates"),
  "app/(console)/access-controls/service-credentials/mutual-tls/blocked/page.tsx": (page) => hasRows(page, "Blocked certificates"),
  "app/(console)/access-controls/test/page.tsx": (page) => h1(page, "Test mTLS"),
  "app/(console)/access-log/page.tsx": async (page) => {
    // The gateway writes its log in batches: reload until the seeded requests are there.
    await expect(async () => {
      await page.reload();
      await expect(page.getByRole("row").filter({ hasText: seed.host }).first()).toBeVisible({ timeout: 1000 });
    }).toPass({ timeout: 20_000 });
  },
  "app/(console)/alerts/page.tsx": (page) => hasRows(page, "Alerts"),
  "app/(console)/api-docs/page.tsx": (page) => h1(page, "API"),
  "app/(console)/audit-log/page.tsx": (page) => hasRows(page, "Audit events"),
  "app/(console)/nginx-export/page.tsx": async (page) => {
    await h1(page, "Nginx export");
    await expect(page.getByText(seed.host).first()).toBeVisible();
  },
  "app/(console)/settings/page.tsx": async (page) => {
    await hasRows(page, "Users");
    await hasRows(page, "API tokens");
  },
};

/** The table named `caption` shows at least one row of data (under its header row). */
async function hasRows(page: Page, caption: string) {
  await expect(page.getByRole("table", { name: caption, exact: true }).getByRole("row").nth(1)).toBeVisible();
}
async function h1(page: Page, name: string) {
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

const consolePages = appRoutes(root, PLACEHOLDERS).filter((r) => r.console && r.kind === "page");

test("every console page is covered by this spec", () => {
  // A guard against the walk silently finding nothing, and against a page added without content to wait for.
  expect(consolePages.length).toBeGreaterThanOrEqual(18);
  expect(consolePages.map((r) => r.file).filter((f) => !CONTENT[f])).toEqual([]);
  expect(consolePages.filter((r) => r.url.includes("{unknown}")).map((r) => r.file), "pages whose dynamic segment has no seeded id").toEqual([]);
});

for (const route of consolePages) {
  test(`axe: ${route.url} (admin)`, async ({ adminPage: page }) => {
    // axe walks the whole DOM: a large page on a loaded 2-core machine takes tens of seconds.
    test.setTimeout(120_000);
    await page.goto(fill(route.url));
    expect(new URL(page.url()).pathname, "not sent elsewhere").toBe(fill(route.url));
    await CONTENT[route.file]?.(page);
    await expectNoViolations(page, `${route.url} (admin)`);
  });
}

/** The viewer's pages differ (read-only notices instead of forms); write-only pages send viewers elsewhere. */
for (const route of consolePages) {
  test(`axe: ${route.url} (viewer)`, async ({ viewerPage: page }) => {
    test.setTimeout(120_000);
    await page.goto(fill(route.url));
    await expect(page).not.toHaveURL(/\/login/);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await expectNoViolations(page, `${route.url} (viewer)`);
  });
}

/** Dark mode (the console follows the system's colour scheme): the same pages, the same rules. */
for (const route of consolePages) {
  test(`axe: ${route.url} (admin, dark)`, async ({ browser }) => {
    test.setTimeout(120_000);
    const ctx = await browser.newContext({ storageState: path.join(root, STATE.admin), colorScheme: "dark" });
    const page = await ctx.newPage();
    await page.goto(fill(route.url));
    await CONTENT[route.file]?.(page);
    await expectNoViolations(page, `${route.url} (admin, dark)`);
    await ctx.close();
  });
}

test("a table wider than the window scrolls sideways in a focusable group named like the table", async ({ adminPage: page }) => {
  await page.setViewportSize({ width: 800, height: 850 });
  await page.goto("/audit-log");
  const table = page.getByRole("table", { name: "Audit events" });
  await expect(table.getByRole("row").nth(1)).toBeVisible();
  const box = page.getByRole("group", { name: "Audit events" });
  await expect(box).toHaveAttribute("tabindex", "0");
  expect(await box.evaluate((el) => el.scrollWidth > el.clientWidth), "the table is wider than its box").toBe(true);
  await box.focus();
  await page.keyboard.press("ArrowRight");
  await expect.poll(() => box.evaluate((el) => el.scrollLeft), { message: "the arrow key scrolled the table" }).toBeGreaterThan(0);
  await expectNoViolations(page, "/audit-log in an 800 px window");
  // Wide enough for the table: a plain box again (no tab stop, no group).
  await page.setViewportSize({ width: 1800, height: 850 });
  await expect(page.getByRole("group", { name: "Audit events" })).toHaveCount(0);
  await expect(table).toBeVisible();
});

test("axe: the guided setup's steps, with the seeded objects chosen", async ({ adminPage: page }) => {
  for (const [step, q] of [
    ["certificate", {}],
    ["hostnames", { certificate: seed.certId }],
    ["policy", { certificate: seed.certId }],
    ["application", { certificate: seed.certId, policy: seed.policyId }],
    ["done", { certificate: seed.certId, policy: seed.policyId, application: seed.appId }],
  ] as const) {
    await page.goto(`/access-controls/mtls-setup?${new URLSearchParams({ step, ...q })}`);
    await expect(page.getByRole("heading", { level: 1, name: "Set up mutual TLS" })).toBeVisible();
    await expectNoViolations(page, `Set up mutual TLS, step ${step}`);
  }
});

test("axe: sign-in and the not-found pages", async ({ browser, adminPage }) => {
  const anon = await browser.newContext();
  const page = await anon.newPage();
  await page.goto("/login");
  await expect(page.getByRole("button", { name: "Sign in" })).toBeVisible();
  await expectNoViolations(page, "/login");
  await page.getByRole("button", { name: "Sign in" }).click();
  await expectNoViolations(page, "/login after an empty submit");
  await anon.close();

  await adminPage.goto(`${APPS}/00000000-0000-4000-8000-000000000000`);
  await expect(adminPage.getByRole("heading", { level: 1 })).toBeVisible();
  await expectNoViolations(adminPage, "a console page that does not exist");
});

test("axe: forms showing their errors, and open dialogs", async ({ adminPage: page }) => {
  await page.goto(`${MTLS}/new`);
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await expect(page.getByRole("textbox", { name: "Name", exact: true })).toHaveAttribute("aria-invalid", "true");
  await expectNoViolations(page, "Add mTLS Certificate with field errors");

  await page.goto("/settings");
  await page.getByRole("button", { name: "Add user" }).click();
  await expect(page.getByLabel("Email", { exact: true })).toBeVisible();
  await expectNoViolations(page, "Settings with the Add user form open");

  await page.goto(SERVICE_TOKENS);
  await page.getByRole("button", { name: "Create Service Token" }).click();
  await page.getByRole("textbox", { name: "Service token name" }).fill(uniqueName("a11y service token"));
  await page.getByRole("button", { name: "Generate token" }).click();
  await expect(page.getByRole("textbox", { name: "Client Secret" })).toBeVisible();
  await expectNoViolations(page, "Service Tokens showing a new token's Client ID and Client Secret");

  await createClientCertificate(page, uniqueName("a11y device"));
  await page.getByRole("button", { name: "Download PKCS#12" }).click();
  await expect(page.getByLabel("PKCS#12 password")).toHaveAttribute("aria-invalid", "true");
  await expectNoViolations(page, "Client certificates showing a new certificate, its downloads and a PKCS#12 password error");
  await page.getByRole("table", { name: "Client certificates" }).getByRole("button", { name: "Revoke" }).first().click();
  await expect(page.getByRole("dialog", { name: "Revoke client certificate" })).toBeVisible();
  await expectNoViolations(page, "the Revoke client certificate dialog");
  await page.getByRole("dialog", { name: "Revoke client certificate" }).getByRole("button", { name: "Cancel" }).click();
  await page.goto(MTLS);
  await expect(page.getByRole("table", { name: "Managed CAs" })).toBeVisible();
  await expectNoViolations(page, "Mutual TLS with the managed CA, its rotation and backup controls");

  await page.goto(`${APPS}/${seed.appId}`);
  await page.getByRole("tab", { name: "Policies" }).click();
  await page.getByRole("button", { name: "Select existing policies" }).click();
  await expect(page.getByRole("dialog", { name: "Select existing policies" })).toBeVisible();
  await expectNoViolations(page, "the Select existing policies dialog");
});

test("Test mTLS with a result: axe, and the sidebar spans the long page", async ({ adminPage: page }) => {
  await page.goto(TEST_MTLS);
  await page.getByRole("combobox", { name: "Application" }).selectOption({ label: `${seed.appName} (${seed.host})` });
  await page.getByRole("textbox", { name: "Client certificate" }).fill(pki.johnPem);
  await page.getByRole("button", { name: "Test", exact: true }).click();
  const result = page.getByRole("region", { name: "Result" });
  await expect(result.getByText("Blocked", { exact: true })).toBeVisible();
  await expect(result.getByRole("list", { name: "Evaluation steps" })).toBeVisible();
  await expectNoViolations(page, "Test mTLS with a result");
  await expectSidebarSpansPage(page);
});

test("Add mTLS with a pasted chain: axe, and the sidebar spans the page of a 144-certificate bundle", async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  await openAddPage(page);
  await pasteInto(page, pki.seed.chainPem);
  await expectSettled(page, "2 certificates", 2);
  await expectNoViolations(page, "Add mTLS Certificate with the seed chain pasted");

  const bundle = readFileSync(CA_BUNDLE_PATH, "utf8");
  await pasteInto(page, bundle);
  await expectSettled(page, "144 certificates", 144);
  await expectNoViolations(page, "Add mTLS Certificate with the CA bundle pasted");
  await expectSidebarSpansPage(page);
});

test("the icons and robots.txt are served to anyone signed out, with their content types", async ({ browser }) => {
  const anon = await browser.newContext();
  const files = [
    ["/favicon.ico", /^image\/(x-icon|vnd\.microsoft\.icon)$/],
    ["/icon.svg", /^image\/svg\+xml/],
    ["/apple-touch-icon.png", /^image\/png$/],
    ["/robots.txt", /^text\/plain/],
  ] as const;
  for (const [file, type] of files) {
    const res = await anon.request.get(file, { maxRedirects: 0 });
    expect(res.status(), file).toBe(200);
    expect(res.headers()["content-type"], file).toMatch(type);
    expect((await res.body()).equals(readFileSync(path.join(root, "public", file))), `${file} is public${file}`).toBe(true);
  }
  expect((await (await anon.request.get("/robots.txt")).text()).split("\n")).toEqual(["User-agent: *", "Disallow: /", ""]);
  // The Apple touch icon is the 180 × 180 PNG iOS asks for.
  const png = await (await anon.request.get("/apple-touch-icon.png")).body();
  expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([180, 180]);
  // Matched whole: a longer path is still the console's, refused before sign-in.
  for (const p of ["/robots.txt.bak", "/favicon.ico/x", "/icon.svgz"]) {
    const res = await anon.request.get(p, { maxRedirects: 0 });
    expect(res.status(), p).toBe(307);
    expect(res.headers()["location"], p).toContain("/login");
  }
  // Every page names the icons.
  const page = await anon.newPage();
  await page.goto("/login");
  await expect(page.locator('link[rel="icon"][href="/favicon.ico"]')).toHaveCount(1);
  await expect(page.locator('link[rel="icon"][href="/icon.svg"][type="image/svg+xml"]')).toHaveCount(1);
  await expect(page.locator('link[rel="apple-touch-icon"][href="/apple-touch-icon.png"]')).toHaveCount(1);
  await anon.close();
});
