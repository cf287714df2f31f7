/**
 * Hostile query strings against the production server, signed in: post-sign-in redirects that URL
 * normalisation turns into "//host" stay on this origin, a NUL byte or an absurd page number in a list
 * page's address is cleaned with a visible notice, and no console page or download (found in app/)
 * answers any hostile query parameter with a 5xx.
 */
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { baseURL } from "./playwright.config";
import { ADMIN, STATE } from "./credentials";
import { appRoutes } from "./helpers/app-routes";
import { actionIdsFromBuild, callAction } from "./helpers/authz-table";
import { generateRoot } from "./helpers/certs";
import { expect, test, uniqueName } from "./fixtures";

const root = path.resolve(__dirname, "..");
const adminState = process.env.E2E_AUTH_DIR ? path.resolve(process.env.E2E_AUTH_DIR, "admin.json") : path.join(root, STATE.admin);
const TRICKS = ["/.//evil.example/phish", "/%2e//evil.example/phish", "/..//evil.example/phish", "/.\\/evil.example/phish", "/a/..//evil.example", "/%2f%2fevil.example"];

let admin: APIRequestContext;
test.beforeAll(async () => {
  admin = await pwRequest.newContext({ baseURL, storageState: adminState });
});
test.afterAll(async () => {
  await admin?.dispose();
});

test("a signed-in visit to /login never redirects off-site, whatever callbackUrl normalises to", async () => {
  for (const cb of TRICKS) {
    const r = await admin.get(`/login?callbackUrl=${encodeURIComponent(cb)}`, { maxRedirects: 0 });
    expect(r.status(), cb).toBe(307);
    const location = r.headers()["location"] ?? "";
    expect(location, cb).not.toMatch(/^[/\\]{2}|^https?:/i);
    expect(new URL(location, baseURL).origin, `${cb} → ${location}`).toBe(baseURL);
  }
});

test("signing in with a normalising callbackUrl ends on this origin", async ({ browser }) => {
  for (const cb of TRICKS.slice(0, 2)) {
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await page.goto(`/login?callbackUrl=${encodeURIComponent(cb)}`);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    expect(new URL(page.url()).origin, cb).toBe(baseURL);
    await ctx.close();
  }
});

test("NUL bytes in list filters and absurd page numbers: 200 with a notice, never a 500", async () => {
  const cases: [string, RegExp][] = [
    ["/audit-log?actor=%00", /Control characters were removed from the actor filter/],
    ["/audit-log?resourceType=a%00b&from=%00", /Control characters were removed from the resourceType filter/],
    ["/audit-log?page=99999999999999999999", /There is no page “99999999999999999999…?”/],
    ["/access-log?hostname=%00", /Control characters were removed from the hostname filter/],
    ["/access-log?before=%00x", /Control characters were removed from the before filter/],
    ["/access-controls/service-credentials/mutual-tls?q=%00", /Control characters were removed from the q filter/],
    ["/access-controls/service-credentials/mutual-tls?page=99999999999999999999", /There is no page/],
    ["/access-controls/policies?page=99999999999999999999", /There is no page/],
    ["/access-controls/applications?page=-1", /There is no page/],
  ];
  for (const [url, notice] of cases) {
    const r = await admin.get(url, { maxRedirects: 0 });
    const body = await r.text();
    expect(r.status(), `${url}: ${body.slice(0, 200)}`).toBe(200);
    expect(body.replace(/<!-- -->/g, ""), url).toMatch(notice);
  }
});

/** Every query parameter a console page or download reads (a page reading another one is still crawled). */
const PARAMS = ["page", "per_page", "q", "name", "actor", "resourceType", "from", "to", "hostname", "decision", "date", "before", "tab", "step", "certificate", "policy", "application", "added", "deleted", "resolved", "status", "filesDir", "listen", "file", "callbackUrl", "error"];
const HOSTILE = ["%00", "a%00b%0A", "99999999999999999999", "-1", "%FF%FE", "%E0%A4%A", "x".repeat(400)];

test("every console page and download, signed in, answers hostile query parameters without a 5xx", async () => {
  test.setTimeout(300_000);
  const ids = actionIdsFromBuild(root);
  const t = await callAction(admin, ids.get("lib/actions/api-tokens.ts#createApiTokenAction")!, "/settings", "form", { name: uniqueName("hostile-q"), permission: "edit" });
  const token = /"secret":"(pc_[0-9A-Za-z]{40})"/.exec(t.text)![1];
  const settings = await (await admin.get("/settings")).text();
  const accountId = /[0-9a-f]{32}/.exec(settings.slice(settings.indexOf("Account ID")))![0];
  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const post = async (p: string, data: unknown) => (await (await api.post(`/client/v4/accounts/${accountId}/access/${p}`, { data })).json()).result.id as string;
  const u = uniqueName("hostile-q");
  const policyId = await post("policies", { name: u, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] });
  const certId = await post("certificates", { name: u, certificate: generateRoot(`/CN=${u}`).pem, associated_hostnames: [`${u}.example.com`] });
  const appId = await post("apps", { name: u, type: "self_hosted", domain: `${u}.example.com`, policies: [policyId] });
  await api.dispose();
  // Only console routes are requested; the others' segments just need some value for the walk.
  const others = Object.fromEntries(["[account_id]", "[app_id]", "[certificate_id]", "[policy_id]", "[service_token_id]", "[blocked_certificate_id]", "[zone_id]", "[client_certificate_id]", "[file]", "[...nextauth]", "[[...path]]"].map((k) => [k, ["x"]]));
  const routes = appRoutes(root, { ...others, "applications/[id]": [appId], "policies/[id]": [policyId], "mutual-tls/[id]": [certId] }).filter((r) => r.console);
  expect(routes.length).toBeGreaterThanOrEqual(18);
  const problems: string[] = [];
  for (const route of routes) {
    for (const value of HOSTILE) {
      const url = `${route.url}?${PARAMS.map((p) => `${p}=${value}`).join("&")}`;
      const r = await admin.get(url, { maxRedirects: 0 });
      if (r.status() >= 500) problems.push(`${r.status()} ${route.file} with ${value.slice(0, 20)}`);
    }
  }
  expect(problems).toEqual([]);
});
