/**
 * The accessibility spec's (e2e/a11y.spec.ts) axe check, its check that the sidebar spans a long page, and the
 * objects it seeds so that every console page is judged with data: a chain with a CRL, a policy, an application,
 * an expiring CA (an alert), an API token, a service token, a client certificate, a blocked certificate and two
 * gateway decisions.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Page } from "@playwright/test";
import { STATE } from "../credentials";
import { expect, uniqueName } from "../fixtures";
import { generateRoot } from "./certs";
import { addApplication, addChain, addPolicy, MTLS, POLICIES } from "./console";
import { gatewayStatus } from "./gateway";
import { generateTestPki, type TestPki } from "../../test/integration/test-mtls-pki";

const root = path.resolve(__dirname, "../..");
export const SERVICE_TOKENS = "/access-controls/service-credentials/service-tokens";
const CLIENT_CERTIFICATES = "/access-controls/service-credentials/client-certificates";
const BLOCKED = "/access-controls/service-credentials/mutual-tls/blocked";
const WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/** Serious and critical violations on the page as it is now, one readable entry per rule (with its elements). */
async function axeProblems(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(WCAG_21_AA).analyze();
  return violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => {
      const nodes = v.nodes.map((n) => `    ${n.target.join(" ")}\n      ${(n.failureSummary ?? "").replace(/\n/g, "\n      ")}`);
      return `${v.id} (${v.impact}, ${v.nodes.length} element${v.nodes.length === 1 ? "" : "s"}): ${v.help}\n${nodes.join("\n")}`;
    });
}

export async function expectNoViolations(page: Page, what: string) {
  const problems = await axeProblems(page);
  expect(problems.length, `${what}: ${problems.length} serious or critical WCAG 2.1 A/AA violations\n${problems.join("\n")}`).toBe(0);
}

export interface Seed {
  host: string;
  certName: string;
  certId: string;
  policyName: string;
  policyId: string;
  appName: string;
  appId: string;
  expiringName: string;
  tokenName: string;
}

/** The id at the end of the page's URL (after a navigation to a detail page). */
const idFromUrl = (page: Page) => new URL(page.url()).pathname.split("/").pop()!;

/** Seeds the objects the spec's pages show (in its beforeAll, as the admin). */
export async function seedA11y(browser: Browser): Promise<{ seed: Seed; pki: TestPki }> {
  const pki = generateTestPki({ rootCN: uniqueName("A11y Root"), intermediateCN: uniqueName("A11y Intermediate") });
  const ctx = await browser.newContext({ storageState: path.join(root, STATE.admin) });
  const page = await ctx.newPage();
  const tag = uniqueName("a11y");
  const s = {
    host: `${tag}.example.com`,
    certName: `${tag} chain`,
    policyName: `${tag} John Doe`,
    appName: `${tag} app`,
    expiringName: `${tag} expiring CA`,
    tokenName: `${tag} token`,
  };
  await addChain(page, s.certName, pki.seed.chainPem, s.host);
  await addPolicy(page, s.policyName, "Service Auth", "Common Name", "John Doe");
  await addApplication(page, s.appName, s.host, s.policyName);
  const appId = idFromUrl(page);
  // A CA that expires in 10 days: an open alert (Alerts, the Overview banner).
  await addChain(page, s.expiringName, generateRoot(`/O=Portcullis e2e/CN=${s.expiringName}`, { days: 10 }).pem, `exp-${s.host}`);

  await page.goto(POLICIES);
  const edit = await page.getByRole("row").filter({ hasText: s.policyName }).getByRole("link", { name: "Edit" }).getAttribute("href");
  const policyId = edit!.split("/").pop()!;

  // The certificate's page with a CRL (its revoked-certificates table).
  await page.goto(MTLS);
  await page.getByRole("row").filter({ hasText: s.certName }).getByRole("button", { name: "Configure" }).click();
  await expect(page.getByRole("heading", { level: 1, name: s.certName })).toBeVisible();
  const certId = idFromUrl(page);
  await page.getByLabel("Upload CRL").setInputFiles(path.join(pki.dir, "revoke-john.crl"));
  await expect(page.getByRole("textbox", { name: "CRL content" })).not.toHaveValue("");
  await page.getByRole("button", { name: "Save CRL" }).click();
  await expect(page.getByRole("status").filter({ hasText: "CRL saved." })).toBeVisible();

  // An API token (the Settings tokens table).
  await page.goto("/settings");
  const tokens = page.getByRole("region", { name: "API tokens" });
  await tokens.getByRole("button", { name: "Create API token" }).click();
  await tokens.getByRole("textbox", { name: "Token name" }).fill(s.tokenName);
  await tokens.getByRole("button", { name: "Create", exact: true }).click();
  await expect(tokens.getByRole("textbox", { name: "New API token" })).toHaveValue(/^pc_/);
  // A service token (the Service Tokens table).
  await page.goto(SERVICE_TOKENS);
  await page.getByRole("button", { name: "Create Service Token" }).click();
  await page.getByRole("textbox", { name: "Service token name" }).fill(s.tokenName);
  await page.getByRole("button", { name: "Generate token" }).click();
  await expect(page.getByRole("textbox", { name: "Client Secret" })).toHaveValue(/^[0-9a-f]{64}$/);
  // A client certificate (the Client certificates table; the managed CA on Mutual TLS).
  await createClientCertificate(page, s.tokenName);
  // A blocked certificate (the Blocked certificates table): a fingerprint no seeded client has.
  await page.goto(BLOCKED);
  await page.getByRole("textbox", { name: "SHA-256 fingerprint" }).fill(randomBytes(32).toString("hex"));
  await page.getByRole("textbox", { name: "Reason" }).fill(`${tag} lost laptop`);
  await page.getByRole("button", { name: "Block certificate" }).click();
  await expect(page.getByRole("table", { name: "Blocked certificates", exact: true }).getByRole("row").filter({ hasText: `${tag} lost laptop` })).toBeVisible();

  // Gateway decisions (the access log and the Overview chart): Jane Roe refused, John Doe revoked by the CRL.
  const jane = { cert: pki.janePath, key: path.join(pki.dir, "jane.key") };
  const john = { cert: pki.johnPath, key: path.join(pki.dir, "client.key") };
  await expect.poll(() => gatewayStatus(s.host, "/reports", jane), { timeout: 15_000 }).toBe(403);
  gatewayStatus(s.host, "/hello", john);
  await ctx.close();
  return { seed: { ...s, certId, policyId, appId }, pki };
}

/** Client certificates → Create client certificate with a key generated in the browser; the result is shown. */
export async function createClientCertificate(page: Page, label: string) {
  await page.goto(CLIENT_CERTIFICATES);
  await page.getByRole("button", { name: "Create client certificate" }).click();
  await page.getByRole("button", { name: "Generate a key in the browser" }).click();
  await page.getByRole("textbox", { name: "Common Name" }).fill(label);
  await page.getByRole("textbox", { name: "Label" }).fill(label);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("button", { name: "Download PKCS#12" })).toBeVisible();
}

/**
 * The sidebar is a column as tall as the page (its background and border run to the bottom) with its navigation
 * held in view: at the bottom of a long page, the left edge of the window is still the sidebar.
 */
export async function expectSidebarSpansPage(page: Page) {
  const sidebar = page.locator("aside").filter({ has: page.getByRole("navigation", { name: "Main" }) });
  // Scroll to the end until the page's height settles: cards off screen are laid out only as they come into view
  // (content-visibility), so the page's height changes while it is scrolled; both are measured once it is still.
  const m = { scroll: -1, viewport: 0 };
  for (let i = 0; i < 50; i++) {
    const now = await page.evaluate(() => {
      window.scrollTo(0, document.documentElement.scrollHeight);
      return { scroll: document.documentElement.scrollHeight, viewport: window.innerHeight };
    });
    if (now.scroll === m.scroll) break;
    Object.assign(m, now);
    await page.waitForTimeout(100);
  }
  expect(m.scroll, "the page is long enough to show the problem").toBeGreaterThan(2 * m.viewport);
  const box = await sidebar.evaluate((el) => {
    const r = el.getBoundingClientRect();
    return { top: r.top + window.scrollY, height: r.height };
  });
  expect(box.top).toBe(0);
  expect(Math.abs(box.height - m.scroll), `sidebar ${box.height}px tall on a ${m.scroll}px page`).toBeLessThanOrEqual(1);
  const atBottomLeft = await page.evaluate(() => document.elementFromPoint(8, window.innerHeight - 4)?.closest("aside") !== null);
  expect(atBottomLeft, "the window's bottom-left corner is the sidebar when scrolled to the end").toBe(true);
  await expect(page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Overview" })).toBeInViewport();
  await expectNoViolations(page, `${new URL(page.url()).pathname} scrolled to the end`);
}
