/**
 * Sign-in at the gateway in Chromium, against a real OpenID provider (oidc-provider on loopback, with its own sign-in
 * page): Settings → Login methods (Add login method, Test, Save); an application offering that login method with an
 * Allow policy on Emails ending in; the protected URL → the provider's sign-in page → back to the application, whose
 * origin receives the JWT with the email; someone outside the domain gets the 403 page; logout; a tampered cookie and
 * an expired session lead to a new sign-in.
 */
import { execFileSync } from "node:child_process";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser, type BrowserContext } from "@playwright/test";
import { createLocalJWKSet, jwtVerify } from "jose";
import { startIdp, type TestIdp } from "../test/helpers/oidc-provider";
import { expect, test, uniqueName } from "./fixtures";
import { addApplication, addPolicy } from "./helpers/console";
import { gatewayPort } from "./helpers/gateway";

const HOST = `${uniqueName("intranet")}.example.test`;
const BASE = `https://${HOST}:${gatewayPort}`;
const DOMAIN = "example.test";

let idp: TestIdp;
let origin: http.Server;
let originUrl = "";
/** the Cf-Access-Jwt-Assertion of each request the origin received */
const assertions: string[] = [];
let browser: Browser;

/** The protected application's origin: shows who the gateway says is signed in (the JWT's email, unverified here). */
function startOrigin(): Promise<void> {
  origin = http.createServer((req, res) => {
    const jwt = String(req.headers["cf-access-jwt-assertion"] ?? "");
    assertions.push(jwt);
    let email = "nobody";
    try {
      email = String(JSON.parse(Buffer.from(jwt.split(".")[1], "base64url").toString("utf8")).email);
    } catch {
      // no JWT
    }
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><title>Intranet</title><h1>Intranet</h1><p>Signed in as ${email.replace(/[<>&"]/g, "")}</p>`);
  });
  return new Promise((r) =>
    origin.listen(0, "127.0.0.1", () => {
      originUrl = `http://127.0.0.1:${(origin.address() as AddressInfo).port}`;
      r();
    }),
  );
}

/** A person's browser: this HOST resolves to the gateway on 127.0.0.1, whose self-signed certificate is accepted. */
async function personContext(): Promise<BrowserContext> {
  return browser.newContext({ ignoreHTTPSErrors: true });
}

/** The gateway's signing keys (its JWKS), fetched as any origin would. */
function gatewayKeys() {
  const out = execFileSync("curl", ["-s", "-k", "--max-time", "20", "--resolve", `${HOST}:${gatewayPort}:127.0.0.1`, `${BASE}/cdn-cgi/access/certs`], { encoding: "utf8" });
  return createLocalJWKSet(JSON.parse(out));
}

test.describe("sign-in at the gateway", () => {
  test.beforeAll(async () => {
    await startOrigin();
    idp = await startIdp(`${BASE}/cdn-cgi/access/callback`, { loginPage: true });
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", `--host-resolver-rules=MAP ${HOST} 127.0.0.1`],
    });
  });

  test.afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await new Promise<void>((r) => (origin ? origin.close(() => r()) : r()));
  });

  test("login method, protected application, sign in at the provider, origin sees the email; outside the domain 403; logout; tampered cookie; expired session", async ({ adminPage: page }) => {
    test.setTimeout(240_000);
    const method = uniqueName("Corporate IdP");
    const policy = uniqueName("example.test staff");
    const app = uniqueName("Intranet");

    // Settings → Login methods: Test shows what the provider answered; Save lists it.
    await page.goto("/settings");
    const section = page.getByRole("region", { name: "Login methods" });
    await section.getByRole("button", { name: "Add login method" }).click();
    const form = section.getByRole("form", { name: "Add login method" });
    await form.getByRole("textbox", { name: "Name" }).fill(method);
    await form.getByRole("textbox", { name: "Issuer URL" }).fill(idp.issuer);
    await form.getByRole("textbox", { name: "Client ID" }).fill(idp.clientId);
    await form.getByRole("textbox", { name: "Client secret" }).fill(idp.clientSecret);
    await expect(form.getByRole("textbox", { name: "Scopes" })).toHaveValue("");
    await form.getByRole("button", { name: "Test", exact: true }).click();
    const answered = form.getByRole("status", { name: "What the provider answered" });
    await expect(answered).toContainText(idp.issuer);
    await expect(answered).toContainText(`${idp.issuer}/auth`);
    await expect(answered).toContainText(`${idp.issuer}/token`);
    // Test keeps what was typed except the secret, which never travels back.
    await expect(form.getByRole("textbox", { name: "Client secret" })).toHaveValue("");
    await form.getByRole("textbox", { name: "Client secret" }).fill(idp.clientSecret);
    await form.getByRole("button", { name: "Save", exact: true }).click();
    await expect(section.getByRole("status").filter({ hasText: `Login method ${method} added.` })).toBeVisible();
    const row = section.getByRole("table", { name: "Login methods" }).getByRole("row").filter({ hasText: method });
    await expect(row).toContainText(idp.issuer);
    await expect(row).toContainText("openid email profile");
    await expect(page.getByText(idp.clientSecret)).toHaveCount(0);

    // A Test that cannot reach its issuer says so.
    await section.getByRole("button", { name: `Edit login method ${method}` }).click();
    const edit = section.getByRole("form", { name: `Edit login method ${method}` });
    await edit.getByRole("textbox", { name: "Issuer URL" }).fill("http://127.0.0.1:9");
    await edit.getByRole("button", { name: "Test", exact: true }).click();
    await expect(edit.getByRole("alert").filter({ hasText: "Unreachable" })).toBeVisible();
    await edit.getByRole("button", { name: "Cancel" }).click();

    // The application: Allow for Emails ending in example.test, offering only this login method.
    await addPolicy(page, policy, "Allow", "Emails ending in", DOMAIN);
    await addApplication(page, app, HOST, policy);
    await page.getByRole("tab", { name: "Overview" }).click();
    const settings = page.getByRole("form", { name: "Application settings" });
    await settings.getByLabel("Origin URL").fill(originUrl);
    const methods = settings.getByRole("group", { name: "Login methods" });
    await methods.getByRole("checkbox", { name: "Accept all login methods" }).uncheck();
    await methods.getByRole("checkbox", { name: method, exact: true }).check();
    await settings.getByRole("button", { name: "Save", exact: true }).click();
    await expect(settings.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
    await page.reload();
    await expect(page.getByRole("group", { name: "Login methods" }).getByRole("checkbox", { name: method, exact: true })).toBeChecked();

    // An API client without a session gets 401 JSON with the login URL, never a redirect.
    await expect(async () => {
      const out = execFileSync(
        "curl",
        ["-s", "-k", "--max-time", "20", "--resolve", `${HOST}:${gatewayPort}:127.0.0.1`, "-H", "Accept: application/json", "-w", "\n%{http_code}", `${BASE}/handbook`],
        { encoding: "utf8" },
      ).trim();
      const cut = out.lastIndexOf("\n");
      expect(Number(out.slice(cut + 1))).toBe(401);
      expect(JSON.parse(out.slice(0, cut))).toMatchObject({ success: false, status: 401, login_url: `${BASE}/cdn-cgi/access/login?redirect_url=${encodeURIComponent(`${BASE}/handbook`)}` });
    }).toPass({ timeout: 20_000 });

    // A person opens the application: the provider's sign-in page, then back to the page asked for.
    const alice = await personContext();
    const tab = await alice.newPage();
    await expect(async () => {
      // The gateway applies the configuration within a second.
      await tab.goto(`${BASE}/handbook?section=2`);
      await expect(tab.getByRole("heading", { name: "Test IdP sign-in" })).toBeVisible({ timeout: 2000 });
    }).toPass({ timeout: 20_000 });
    expect(tab.url().startsWith(`${idp.issuer}/interaction/`)).toBe(true);
    await tab.getByRole("textbox", { name: "Email" }).fill("alice@example.test");
    await tab.getByRole("button", { name: "Sign in" }).click();
    await expect(tab.getByRole("heading", { name: "Intranet" })).toBeVisible();
    await expect(tab.getByText("Signed in as alice@example.test")).toBeVisible();
    expect(tab.url()).toBe(`${BASE}/handbook?section=2`);
    const cookie = (await alice.cookies(BASE)).find((c) => c.name === "CF_Authorization");
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: "Lax", domain: HOST, path: "/" });
    const { payload } = await jwtVerify(assertions[assertions.length - 1], gatewayKeys(), { issuer: BASE });
    expect(payload.email).toBe("alice@example.test");
    expect(assertions[assertions.length - 1]).toBe(cookie?.value);
    // get-identity, as an origin's page would call it.
    const identity = await tab.evaluate(() => fetch("/cdn-cgi/access/get-identity", { headers: { accept: "application/json" } }).then((r) => r.json()));
    expect(identity).toMatchObject({ email: "alice@example.test" });

    // Logout: the session ends; the next visit goes to the provider again.
    await tab.goto(`${BASE}/cdn-cgi/access/logout`);
    await expect(tab.getByRole("heading", { name: "Signed out" })).toBeVisible();
    expect((await alice.cookies(BASE)).find((c) => c.name === "CF_Authorization")).toBeUndefined();
    await alice.clearCookies({ domain: "127.0.0.1" }); // and out of the provider too
    await tab.goto(`${BASE}/handbook`);
    await expect(tab.getByRole("heading", { name: "Test IdP sign-in" })).toBeVisible();

    // A tampered cookie is no session: sign in again (never an error page).
    await alice.addCookies([{ name: "CF_Authorization", value: `${cookie!.value.slice(0, -4)}AAAA`, domain: HOST, path: "/", secure: true, httpOnly: true, sameSite: "Lax" }]);
    await tab.goto(`${BASE}/handbook`);
    await expect(tab.getByRole("heading", { name: "Test IdP sign-in" })).toBeVisible();
    await alice.close();

    // Someone outside the domain signs in at the provider and gets the gateway's 403 page.
    const eve = await personContext();
    const eveTab = await eve.newPage();
    await eveTab.goto(`${BASE}/handbook`);
    await eveTab.getByRole("textbox", { name: "Email" }).fill("eve@elsewhere.test");
    await eveTab.getByRole("button", { name: "Sign in" }).click();
    await expect(eveTab.getByRole("heading", { level: 1, name: "Forbidden" })).toBeVisible();
    await expect(eveTab.getByText("eve@elsewhere.test")).toBeVisible();
    await expect(eveTab.getByRole("heading", { name: "Intranet" })).toHaveCount(0);
    await eve.close();

    // An expired session (the application's session duration, shortened to 3 s) signs in again.
    await page.getByRole("tab", { name: "Overview" }).click();
    await page.getByRole("form", { name: "Application settings" }).getByLabel("Session duration").fill("3s");
    await page.getByRole("form", { name: "Application settings" }).getByRole("button", { name: "Save", exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Application saved." })).toBeVisible();
    const bob = await personContext();
    const bobTab = await bob.newPage();
    await expect(async () => {
      await bob.clearCookies();
      await bobTab.goto(`${BASE}/handbook`);
      await bobTab.getByRole("textbox", { name: "Email" }).fill("bob@example.test");
      await bobTab.getByRole("button", { name: "Sign in" }).click();
      await expect(bobTab.getByText("Signed in as bob@example.test")).toBeVisible({ timeout: 3000 });
      const c = (await bob.cookies(BASE)).find((x) => x.name === "CF_Authorization");
      // The cookie lives as long as the application's session (the gateway has the new duration).
      expect(c && c.expires > 0 && c.expires - Date.now() / 1000 <= 4).toBe(true);
    }).toPass({ timeout: 30_000 });
    await bob.clearCookies({ domain: "127.0.0.1" });
    await bobTab.waitForTimeout(3500);
    await bobTab.goto(`${BASE}/handbook`);
    await expect(bobTab.getByRole("heading", { name: "Test IdP sign-in" })).toBeVisible();
    await bob.close();

    // The application's only login method cannot be deleted (it would fall back to every login method).
    await page.goto("/settings");
    await section.getByRole("button", { name: `Delete login method ${method}` }).click();
    const confirm = page.getByRole("dialog", { name: `Delete login method ${method}?` });
    await confirm.getByRole("button", { name: "Delete", exact: true }).click();
    await expect(confirm.getByRole("alert").filter({ hasText: `is the only login method of the application "${app}"` })).toBeVisible();
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect(section.getByRole("table", { name: "Login methods" }).getByRole("row").filter({ hasText: method })).toHaveCount(1);
  });
});
