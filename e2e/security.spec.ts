/**
 * Hostile input: an XSS corpus through the text fields, rendered back on every page that shows them
 * (no dialog, no CSP violation, text shown literally); cross-origin POSTs (403 from proxy.ts); callbackUrl open redirects;
 * oversized bodies (413 from proxy.ts, before Next.js reads them).
 */
import path from "node:path";
import { request as pwRequest, type APIRequestContext, type Page } from "@playwright/test";
import { baseURL } from "./playwright.config";
import { ADMIN, STATE } from "./credentials";
import { generateRoot } from "./helpers/certs";
import { actionIdsFromBuild, actionResult, callAction } from "./helpers/authz-table";
import { expect, test, uniqueName } from "./fixtures";

const root = path.resolve(__dirname, "..");
const adminState = process.env.E2E_AUTH_DIR ? path.resolve(process.env.E2E_AUTH_DIR, "admin.json") : path.join(root, STATE.admin);
const TOKEN = "lib/actions/api-tokens.ts#createApiTokenAction";
const ADD_USER = "lib/actions/users.ts#addUserAction";
const NOTIFY = "lib/actions/notifications.ts#saveNotificationsAction";

const u = uniqueName("xss");
const CORPUS = [
  `<script>alert(1)</script> ${u}`,
  `"><img src=x onerror=alert(1)> ${u}`,
  `javascript:alert(1) ${u}`,
  `{{7*7}} \${7*7} ${u}`,
  `\u202Eexe.txt\u202C ${u}`,
  `${"W".repeat(300)} ${u}`,
];

test.describe.configure({ mode: "serial" });
let admin: APIRequestContext;
let api: APIRequestContext;
let ids: Map<string, string>;
let accountId: string;
const pages: string[] = [];

async function action(key: string, page: string, fields: Record<string, string>, headers?: Record<string, string>) {
  const r = await callAction(admin, ids.get(key)!, page, "form", fields, headers);
  return { ...r, result: actionResult(r.text) };
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  ids = actionIdsFromBuild(root);
  admin = await pwRequest.newContext({ baseURL, storageState: adminState });
  const t = await action(TOKEN, "/settings", { name: `${u}-token`, permission: "edit" });
  const secret = /"secret":"(pc_[0-9A-Za-z]{40})"/.exec(t.text)![1];
  api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${secret}` } });
  const settings = await (await admin.get("/settings")).text();
  accountId = /[0-9a-f]{32}/.exec(settings.slice(settings.indexOf("Account ID")))![0];
});
test.afterAll(async () => {
  await admin?.dispose();
  await api?.dispose();
});

const post = (p: string, data: unknown) => api.post(`/client/v4/accounts/${accountId}/access/${p}`, { data });

test("hostile text is accepted or refused with a 4xx in every text field, never a 5xx", async () => {
  pages.push("/", "/access-controls/policies", "/access-controls/applications", "/access-controls/service-credentials/mutual-tls", "/settings", "/audit-log");
  for (const [i, text] of CORPUS.entries()) {
    const p = await post("policies", { name: text, decision: "allow", include: [{ common_name: { common_name: text } }] });
    expect(p.status(), await p.text()).toBe(201);
    const policyId = (await p.json()).result.id;
    const domain = `${u}-${i}.xss.example.com`;
    const c = await post("certificates", { name: text, certificate: generateRoot(`/CN=${u} ${i}`).pem, associated_hostnames: [domain] });
    expect(c.status(), await c.text()).toBe(201);
    const a = await post("apps", { name: text, type: "self_hosted", domain, policies: [policyId] });
    expect(a.status(), await a.text()).toBe(201);
    pages.push(`/access-controls/policies/${policyId}`, `/access-controls/applications/${(await a.json()).result.id}`, `/access-controls/service-credentials/mutual-tls/${(await c.json()).result.id}`);
    expect((await action(TOKEN, "/settings", { name: text.slice(0, 100), permission: "read" })).result?.ok).toBe(true);
    const user = await action(ADD_USER, "/settings", { email: `${u}-${i}@portcullis.test`, name: text.slice(0, 100), password: "xss-user-password-1", role: "viewer" });
    expect(user.result?.ok, user.text.slice(0, 300)).toBe(true);
  }
  // Refused with a specific 4xx: null bytes, over-long names, bad hostnames, javascript: webhooks.
  for (const bad of [`nul\u0000${u}`, "L".repeat(100_000)]) {
    const r = await post("policies", { name: bad, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] });
    expect(r.status(), await r.text()).toBe(400);
    expect((await r.json()).errors.length).toBeGreaterThan(0);
  }
  for (const host of ["<script>.example.com", "javascript:alert(1)", `a\u0000.example.com`]) {
    const r = await post("certificates", { name: u, certificate: generateRoot(`/CN=${u} host`).pem, associated_hostnames: [host] });
    expect(r.status(), await r.text()).toBe(400);
  }
  const hook = await action(NOTIFY, "/settings", { webhookUrl: "javascript:alert(1)" });
  expect(hook.result?.ok).toBe(false);
  expect(hook.result?.message ?? "").not.toMatch(/Something went wrong/);
});

async function watch(page: Page) {
  const problems: string[] = [];
  page.on("dialog", async (d) => {
    problems.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(m.text())) problems.push(`csp: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`pageerror: ${e.message}`));
  return problems;
}

test("every page that shows hostile text renders it escaped: no dialog, no script, no CSP violation", async ({ adminPage }) => {
  const problems = await watch(adminPage);
  for (const url of pages) {
    await adminPage.goto(url);
    await expect(adminPage.getByRole("heading", { level: 1 })).toBeVisible();
    expect(await adminPage.locator(`img[src="x"]`).count(), url).toBe(0);
    expect(problems, url).toEqual([]);
  }
  expect(problems).toEqual([]);
});

const host = new URL(baseURL).host;
const policyNames = async () => {
  const r = await api.get(`/client/v4/accounts/${accountId}/access/policies?per_page=1000`);
  expect(r.status()).toBe(200);
  return ((await r.json()).result as { name: string }[]).map((p) => p.name);
};

test("cross-origin POSTs: server actions from another origin → 403 before they run; the API ignores cookies, accepts tokens from anywhere", async () => {
  const name = uniqueName("evil-token");
  for (const [headers, from] of [
    [{ Origin: "https://evil.example" }, "evil.example"],
    [{ Referer: "https://evil.example/phish" }, "evil.example"],
    [{ Origin: "null" }, "an unknown origin"],
  ] as const) {
    const r = await action(TOKEN, "/settings", { name, permission: "edit" }, headers);
    expect(r.status, JSON.stringify(headers)).toBe(403);
    expect(r.text).toBe(
      `Refused: this form was sent from ${from}, not from ${host}. Nothing was changed. Open the console at its own address and submit the form again.`,
    );
  }
  expect(await (await admin.get("/settings")).text()).not.toContain(name);
  // The same action from the console's own origin runs.
  const same = await action(TOKEN, "/settings", { name: `${name}-same`, permission: "read" }, { Origin: baseURL });
  expect(same.status).toBe(200);
  expect(same.result?.ok).toBe(true);

  // Cookies never authenticate the API: a cross-origin cookie-only write is 401 and writes nothing.
  const evilPolicy = uniqueName("evil");
  const cookieOnly = await admin.post(`/client/v4/accounts/${accountId}/access/policies`, {
    headers: { Origin: "https://evil.example" },
    data: { name: evilPolicy, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] },
  });
  expect(cookieOnly.status()).toBe(401);
  expect(await cookieOnly.json()).toMatchObject({ success: false, result: null, errors: [{ code: 10000 }] });
  // A token from another origin (an internal portal) is legitimate.
  const portalPolicy = uniqueName("portal");
  const portal = await api.post(`/client/v4/accounts/${accountId}/access/policies`, {
    headers: { Origin: "https://portal.internal.example" },
    data: { name: portalPolicy, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] },
  });
  expect(portal.status(), await portal.text()).toBe(201);
  const names = await policyNames();
  expect(names).toContain(portalPolicy);
  expect(names).not.toContain(evilPolicy);
});

/** True when following `loc` (or the callbackUrl it carries) would leave this origin. */
function offsite(loc: string): boolean {
  if (!loc) return false;
  const u = new URL(loc, baseURL);
  if (u.origin !== baseURL) return true;
  const cb = u.searchParams.get("callbackUrl") ?? u.searchParams.get("url");
  return !!cb && new URL(cb, baseURL).origin !== baseURL;
}

test("callbackUrl open redirects are refused", async ({ browser }) => {
  const evil = ["https://evil.example", "//evil.example", "/\\evil.example"];
  for (const cb of evil) {
    const anon = await pwRequest.newContext({ baseURL });
    const signin = await anon.get(`/api/auth/signin?callbackUrl=${encodeURIComponent(cb)}`, { maxRedirects: 0 });
    expect(offsite(signin.headers()["location"] ?? ""), `${cb} → ${signin.headers()["location"]}`).toBe(false);
    const { csrfToken } = await (await anon.get("/api/auth/csrf")).json();
    const cred = await anon.post("/api/auth/callback/credentials", { form: { csrfToken, email: ADMIN.email, password: ADMIN.password, callbackUrl: cb, json: "true" }, maxRedirects: 0 });
    const where = cred.headers()["location"] ?? ((await cred.json().catch(() => ({}))) as { url?: string }).url ?? "";
    expect(offsite(where), `${cb} → ${where}`).toBe(false);
    await anon.dispose();

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

test("oversized bodies are refused early: API > 1 MiB → 413 envelope, server action > 2 MiB → 413 with the sizes; nothing written", async () => {
  const apiName = uniqueName("huge-policy");
  const big = await post("policies", { name: apiName, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }], description: "x".repeat(1_200_000) });
  expect(big.status()).toBe(413);
  expect(await big.json()).toEqual({
    success: false,
    errors: [{ code: 6008, message: "access.api.error.invalid_request: The request body is larger than 1 MiB" }],
    messages: [],
    result: null,
  });
  expect(await policyNames()).not.toContain(apiName);

  const name = uniqueName("huge");
  const r = await action(TOKEN, "/settings", { name, permission: "edit", padding: "p".repeat(2_500_000) }, { Origin: baseURL });
  expect(r.status).toBe(413);
  expect(r.text).toMatch(/^Refused: the submitted data is 2,5\d\d,\d{3} bytes; the limit is 2 MiB \(2,097,152 bytes\)\. Nothing was changed\.$/);
  expect(await (await admin.get("/settings")).text()).not.toContain(name);
});
