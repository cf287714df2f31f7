/**
 * Anonymous crawl: every page and route handler of the app (read from app/ at test time, so a new page
 * cannot be forgotten) is requested without a valid session — no cookie, a garbage cookie, a session
 * cookie sealed with the wrong secret, an API token, the cookie of a session that has ended — by GET, HEAD,
 * an RSC fetch and a server-action POST, with and without query parameters, following no redirect.
 * Distinctive markers are seeded first
 * (certificate, policy, application, user, API token, audit entries, the nginx export); no response may
 * carry one, whatever its status. Console paths must be refused by proxy.ts before anything renders:
 * pages 307 to /login with no body but the target, route handlers and server actions 401.
 */
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { encode } from "next-auth/jwt";
import { baseURL } from "./playwright.config";
import { ADMIN, STATE, VIEWER } from "./credentials";
import { generateRoot } from "./helpers/certs";
import { actionIdsFromBuild, callAction } from "./helpers/authz-table";
import { appRoutes, type AppRoute } from "./helpers/app-routes";
import { expect, test } from "./fixtures";

const root = path.resolve(__dirname, "..");
const adminState = process.env.E2E_AUTH_DIR ? path.resolve(process.env.E2E_AUTH_DIR, "admin.json") : path.join(root, STATE.admin);
const TOKEN = "lib/actions/api-tokens.ts#createApiTokenAction";
const ADD_USER = "lib/actions/users.ts#addUserAction";

/** Lower-case so it survives hostnames; never sent in a request, so an echo cannot be mistaken for a leak. */
const M = `crawlmark${randomBytes(5).toString("hex")}`;
const host = `${M}.crawl.example.com`;

interface Seed {
  accountId: string;
  policyId: string;
  appId: string;
  certId: string;
  token: string;
  /** The session cookie of a user who has since signed out: it still decrypts, but names an ended session. */
  endedSession: string;
  markers: string[];
}

/** Sign in through next-auth, keep the session cookie, sign out: the cookie stays well-formed but is dead. */
async function endedSessionCookie(email: string, password: string): Promise<string> {
  const ctx = await pwRequest.newContext({ baseURL });
  const csrf = async () => (await (await ctx.get("/api/auth/csrf")).json()).csrfToken as string;
  await ctx.post("/api/auth/callback/credentials", { form: { csrfToken: await csrf(), email, password, json: "true" } });
  const cookie = (await ctx.storageState()).cookies.find((c) => c.name.endsWith("next-auth.session-token"));
  expect(cookie, "signing in set a session cookie").toBeTruthy();
  expect((await (await ctx.get("/settings", { maxRedirects: 0 })).text()).toLowerCase()).toContain(M);
  await ctx.post("/api/auth/signout", { form: { csrfToken: await csrf(), json: "true" } });
  await ctx.dispose();
  return `${cookie!.name}=${cookie!.value}`;
}
let seed: Seed;
let admin: APIRequestContext;

test.describe.configure({ mode: "serial" });

test.beforeAll(async () => {
  test.setTimeout(120_000);
  const ids = actionIdsFromBuild(root);
  admin = await pwRequest.newContext({ baseURL, storageState: adminState });
  const action = async (key: string, fields: Record<string, string>) => {
    const r = await callAction(admin, ids.get(key)!, "/settings", "form", fields);
    expect(r.status, r.text.slice(0, 300)).toBe(200);
    return r.text;
  };
  const tokenText = await action(TOKEN, { name: `${M}-token`, permission: "edit" });
  const token = /"secret":"(pc_[0-9A-Za-z]{40})"/.exec(tokenText)![1];
  const userEmail = `${M}-user@portcullis.test`;
  await action(ADD_USER, { email: userEmail, name: `${M} User`, password: "crawl-user-password-1", role: "viewer" });
  const settings = await (await admin.get("/settings")).text();
  const accountId = /[0-9a-f]{32}/.exec(settings.slice(settings.indexOf("Account ID")))![0];

  const api = await pwRequest.newContext({ baseURL, extraHTTPHeaders: { authorization: `Bearer ${token}` } });
  const post = async (p: string, data: unknown) => {
    const r = await api.post(`/client/v4/accounts/${accountId}/access/${p}`, { data });
    expect(r.status(), await r.text()).toBe(201);
    return (await r.json()).result.id as string;
  };
  const ca = generateRoot(`/CN=${M} Root CA`);
  const policyId = await post("policies", { name: `${M}-policy`, decision: "non_identity", include: [{ common_name: { common_name: `${M} client` } }] });
  const certId = await post("certificates", { name: `${M}-cert`, certificate: ca.pem, associated_hostnames: [host] });
  const appId = await post("apps", { name: `${M}-app`, type: "self_hosted", domain: host, policies: [policyId] });
  await api.dispose();

  // A slice of the stored PEM's base64 (the download must not reach anyone signed out).
  const pemSlice = ca.pem.split("\n")[3];
  const endedSession = await endedSessionCookie(userEmail, "crawl-user-password-1");
  seed = { accountId, policyId, appId, certId, token, endedSession, markers: [M, pemSlice, ADMIN.email, VIEWER.email] };
});
test.afterAll(async () => {
  await admin?.dispose();
});

/** Dynamic segments of app/ → the seeded ids (a new dynamic route fails the crawl until it is listed here). */
const segmentValues = (s: Seed) => ({
  "applications/[id]": [s.appId],
  "policies/[id]": [s.policyId],
  "mutual-tls/[id]": [s.certId],
  "[account_id]": [s.accountId],
  "[app_id]": [s.appId],
  "[certificate_id]": [s.certId],
  "[policy_id]": [s.policyId],
  // No token is seeded: signed out, every service-token route answers the same whatever the id.
  "[service_token_id]": ["00000000-0000-4000-8000-000000000000"],
  // Likewise for blocked certificates.
  "[blocked_certificate_id]": ["00000000-0000-4000-8000-000000000000"],
  // Zone-scoped API routes: signed out, they answer the same whatever the ids.
  "zones/[zone_id]": ["00000000000000000000000000000000"],
  "[client_certificate_id]": ["00000000-0000-4000-8000-000000000000"],
  // The published CRL of the managed CA (public by design): an id no CA has, in both forms.
  "crl/[file]": ["00000000-0000-4000-8000-000000000000.crl", "00000000-0000-4000-8000-000000000000.pem"],
  "[...nextauth]": ["session", "providers", "csrf", "signin", "signout", "error", "callback/credentials"],
  "[[...path]]": ["", "accounts", `accounts/${s.accountId}/access/certificates/hostnames`],
});

/** Query parameters every list and detail page reads, chosen to select the seeded rows (no marker text). */
const query = (s: Seed) =>
  new URLSearchParams({
    page: "1",
    per_page: "50",
    q: "crawlmark",
    name: "crawlmark",
    resourceType: "policy",
    tab: "policies",
    step: "done",
    certificate: s.certId,
    policy: s.policyId,
    application: s.appId,
    added: s.certId,
    resolved: "1",
    status: "valid",
    filesDir: "/etc/nginx/portcullis",
    listen: "443",
    file: "nginx.conf",
  }).toString();

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

/** Ways of being signed out: nothing, a garbage cookie, a well-formed session sealed with the wrong secret, an API token. */
async function callers(s: Seed): Promise<Record<string, Record<string, string>>> {
  const forged = await encode({ token: { uid: randomUUID(), email: ADMIN.email, sub: randomUUID() }, secret: randomBytes(32).toString("base64url") });
  return {
    anonymous: {},
    "garbage cookie": { cookie: SESSION_COOKIES.map((c) => `${c}=garbage`).join("; ") },
    "forged session": { cookie: SESSION_COOKIES.map((c) => `${c}=${forged}`).join("; ") },
    "API token": { authorization: `Bearer ${s.token}` },
    // Passes proxy.ts (it only verifies the seal); the pages' own check must refuse it before loading data.
    "ended session": { cookie: s.endedSession },
  };
}

interface Probe {
  route: AppRoute;
  url: string;
  method: string;
  caller: string;
  headers: Record<string, string>;
  body?: string;
  label: string;
}

function probes(s: Seed, who: Record<string, Record<string, string>>): Probe[] {
  const routes = appRoutes(root, segmentValues(s));
  // Paths no file serves reach the not-found pages (a console one and the root one).
  routes.push({ file: "app/not-found.tsx", kind: "page", console: true, url: `/crawl-no-such-page-${randomBytes(3).toString("hex")}` });
  routes.push({ file: "app/(console)/not-found.tsx", kind: "page", console: true, url: `/access-controls/applications/${randomUUID()}` });
  const out: Probe[] = [];
  const fakeAction = randomBytes(21).toString("hex");
  for (const route of routes) {
    for (const url of [route.url, `${route.url}?${query(s)}`]) {
      for (const [caller, headers] of Object.entries(who)) {
        // A token is a credential for the API: only the console must ignore it.
        if (caller === "API token" && !route.console) continue;
        const add = (method: string, extra: Record<string, string> = {}, body?: string) =>
          out.push({ route, url, method, caller, headers: { ...headers, ...extra }, body, label: `${caller} ${method}${extra.rsc ? " (RSC)" : ""}${extra["next-action"] ? " (server action)" : ""} ${url}` });
        add("GET");
        add("HEAD");
        if (route.kind === "page") {
          add("GET", { rsc: "1" });
          add("POST", { "next-action": fakeAction, accept: "text/x-component", "content-type": "text/plain;charset=UTF-8" }, "[]");
        } else {
          for (const method of ["POST", "PUT", "PATCH", "DELETE"]) add(method, { "content-type": "application/json" }, "{}");
        }
      }
    }
  }
  return out;
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

async function send(p: Probe): Promise<Answer> {
  const res = await fetch(`${baseURL}${p.url}`, { method: p.method, headers: p.headers, body: p.body, redirect: "manual", signal: AbortSignal.timeout(30_000) });
  return { status: res.status, headers: res.headers, body: p.method === "HEAD" ? "" : await res.text() };
}

async function crawl(list: Probe[], check: (p: Probe, a: Answer) => string | null): Promise<string[]> {
  const problems: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < list.length) {
      const p = list[next++];
      const problem = check(p, await send(p));
      if (problem) problems.push(`${p.label} (${p.route.file}): ${problem}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return problems.sort();
}

/** The markers in a body or in any header but Location (which may echo the request's own path). */
function leaked(a: Answer, markers: string[]): string | null {
  const headers = [...a.headers.entries()].filter(([k]) => k !== "location").map(([k, v]) => `${k}: ${v}`).join("\n");
  const lower = `${headers}\n${a.body}`.toLowerCase();
  const found = markers.filter((m) => lower.includes(m.toLowerCase()));
  return found.length ? `${a.status} carries ${found.join(", ")}` : null;
}

test("the seeded markers are visible to the signed-in admin (so the crawl below can see a leak)", async () => {
  const seen = async (url: string) => (await (await admin.get(url, { maxRedirects: 0 })).text()).toLowerCase();
  expect(await seen("/audit-log")).toContain(M);
  expect(await seen("/nginx-export")).toContain(host);
  expect(await seen("/settings")).toContain(`${M}-token`);
  expect(await seen("/settings")).toContain(`${M}-user@portcullis.test`);
  expect(await seen(`/access-controls/service-credentials/mutual-tls/${seed.certId}/pem`)).toContain(seed.markers[1].toLowerCase());
  expect(await seen(`/access-controls/mtls-setup?${query(seed)}`)).toContain(`${M}-app`);
});

test("no page or route handler answers anyone signed out with seeded data, whatever the status", async () => {
  test.setTimeout(600_000);
  const list = probes(seed, await callers(seed));
  // Every page and every route file was found (a guard against the walk silently finding nothing).
  expect(new Set(list.map((p) => p.route.file)).size).toBeGreaterThanOrEqual(30);
  const problems = await crawl(list, (_p, a) => leaked(a, seed.markers));
  expect(problems, `${problems.length} of ${list.length} responses leaked seeded data`).toEqual([]);
});

test("proxy.ts refuses console paths without a valid session before anything renders", async () => {
  test.setTimeout(600_000);
  // An ended session's cookie still decrypts, so it reaches the pages, whose own check refuses it (crawled above).
  const list = probes(seed, await callers(seed)).filter((p) => p.route.console && p.caller !== "ended session");
  const problems = await crawl(list, (p, a) => {
    const type = a.headers.get("content-type") ?? "";
    if (p.route.kind === "route" || p.headers["next-action"]) {
      if (a.status !== 401 || !type.startsWith("text/plain")) return `expected 401 text/plain, got ${a.status} ${type}`;
      return null;
    }
    if (a.status !== 307) return `expected 307 to /login, got ${a.status}`;
    // Next.js writes a middleware redirect's target as its body; nothing else may be there.
    const target = a.headers.get("location") ?? "";
    if (a.body !== "" && a.body !== target) return `the redirect has a body of ${a.body.length} characters`;
    const location = new URL(target, baseURL);
    if (location.origin !== baseURL || location.pathname !== "/login") return `redirects to ${location.href}`;
    if (location.searchParams.get("callbackUrl") !== p.url) return `callbackUrl is ${location.searchParams.get("callbackUrl")}, not ${p.url}`;
    return null;
  });
  expect(problems, `${problems.length} of ${list.length} console requests were not refused up front`).toEqual([]);
});
