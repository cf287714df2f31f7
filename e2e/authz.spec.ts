/**
 * Authorisation matrix: every page, route handler and server action × {anonymous, viewer, admin, read
 * token, edit token, edit token of a viewer}, from the one table in helpers/authz-table.ts. The first
 * test fails when a page, route method or action exists that the table does not list.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { request as pwRequest, type APIRequestContext } from "@playwright/test";
import { baseURL } from "./playwright.config";
import { STATE } from "./credentials";
import { generateRoot } from "./helpers/certs";
import { ACTIONS, actionIdsFromBuild, actionResult, callAction, METHODS, PAGES, PRINCIPALS, PUBLIC_PAGES, ROUTES, type Fx, type Principal } from "./helpers/authz-table";
import { expect, test, uniqueName } from "./fixtures";
import { READ_ONLY_MESSAGE } from "../lib/domain/core/result";

const root = path.resolve(__dirname, "..");
const authDir = process.env.E2E_AUTH_DIR ? path.resolve(process.env.E2E_AUTH_DIR) : null;
const statePath = (role: "admin" | "viewer") => (authDir ? path.join(authDir, `${role}.json`) : path.join(root, STATE[role]));
const SESSION_ENDED = "Your session has ended. Sign in again.";

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(path.relative(root, p).split(path.sep).join("/"));
  }
  return out;
}
const appFiles = walk(path.join(root, "app"));

/** HTTP methods a route module exports (function, const, destructured const or re-export). */
function exportedMethods(file: string): string[] {
  const src = readFileSync(path.join(root, file), "utf8");
  const found = new Set<string>();
  for (const m of src.matchAll(/export\s+(?:async\s+)?(?:function|const)\s+(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\b/g)) found.add(m[1]);
  for (const m of src.matchAll(/export\s+(?:const\s+)?\{([^}]*)\}/g)) {
    for (const part of m[1].split(",")) {
      const name = part.split(/\s+as\s+/).pop()!.trim();
      if (/^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)$/.test(name)) found.add(name);
    }
  }
  return [...found].sort();
}

/** Server actions live in lib/actions (components import them from there); app/ is scanned too so none hides there. */
function sourceActions(): string[] {
  const out: string[] = [];
  for (const f of [...appFiles, ...walk(path.join(root, "lib"))].filter((f) => /\.tsx?$/.test(f))) {
    const src = readFileSync(path.join(root, f), "utf8");
    if (!/^\s*["']use server["']/.test(src)) continue;
    for (const m of src.matchAll(/export\s+async\s+function\s+(\w+)/g)) out.push(`${f}#${m[1]}`);
  }
  return out.sort();
}

test.describe.configure({ mode: "serial" });

let ctx: Record<Principal, APIRequestContext>;
let fx: Fx;
let actionIds: Map<string, string>;

async function newCtx(opts: { state?: string; token?: string } = {}) {
  return pwRequest.newContext({
    baseURL,
    storageState: opts.state,
    extraHTTPHeaders: opts.token ? { authorization: `Bearer ${opts.token}` } : undefined,
  });
}
const actionId = (key: string) => {
  const id = actionIds.get(key);
  if (!id) throw new Error(`server action ${key} is not in the build's manifest (rebuild?)`);
  return id;
};
async function formAction(c: APIRequestContext, key: string, page: string, fields: Record<string, string>) {
  const r = await callAction(c, actionId(key), page, "form", fields);
  const result = actionResult(r.text);
  if (!result?.ok) throw new Error(`${key} failed: ${r.status} ${r.text.slice(0, 400)}`);
  return r.text;
}
const TOKEN_ACTION = "lib/actions/api-tokens.ts#createApiTokenAction";
const secretOf = (text: string) => /"secret":"(pc_[0-9A-Za-z]{40})"/.exec(text)![1];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  actionIds = actionIdsFromBuild(root);
  const anonymous = await newCtx();
  const admin = await newCtx({ state: statePath("admin") });
  const viewer = await newCtx({ state: statePath("viewer") });
  const u = uniqueName("authz");
  const read = secretOf(await formAction(admin, TOKEN_ACTION, "/settings", { name: `${u}-read`, permission: "read" }));
  const edit = secretOf(await formAction(admin, TOKEN_ACTION, "/settings", { name: `${u}-edit`, permission: "edit" }));

  // An edit token whose owner is (now) a viewer: made while the owner was an admin, then demoted.
  const email = `${u}@portcullis.test`;
  const added = await formAction(admin, "lib/actions/users.ts#addUserAction", "/settings", { email, name: "Owner", password: "authz-owner-password-1", role: "admin" });
  const ownerId = /"id":"([0-9a-f-]{36})"/.exec(added)![1];
  const owner = await newCtx();
  const { csrfToken } = await (await owner.get("/api/auth/csrf")).json();
  await owner.post("/api/auth/callback/credentials", { form: { csrfToken, email, password: "authz-owner-password-1", json: "true" } });
  const viewerEdit = secretOf(await formAction(owner, TOKEN_ACTION, "/settings", { name: `${u}-owner-edit`, permission: "edit" }));
  await formAction(admin, "lib/actions/users.ts#changeRoleAction", "/settings", { id: ownerId, role: "viewer" });
  await owner.dispose();

  ctx = {
    anonymous,
    admin,
    viewer,
    readToken: await newCtx({ token: read }),
    editToken: await newCtx({ token: edit }),
    viewerEditToken: await newCtx({ token: viewerEdit }),
  };
  const settings = await (await admin.get("/settings")).text();
  const accountId = /[0-9a-f]{32}/.exec(settings.slice(settings.indexOf("Account ID")))![0];
  const zoneId = /[0-9a-f]{32}/.exec(settings.slice(settings.indexOf("Zone ID")))![0];
  const api = async (method: string, p: string, data: unknown) => {
    const res = await ctx.editToken.fetch(`/client/v4/accounts/${accountId}/access/${p}`, { method, data });
    const json = await res.json();
    if (!json.success) throw new Error(`${method} ${p}: ${JSON.stringify(json.errors)}`);
    return json.result.id as string;
  };
  const policy = () => api("POST", "policies", { name: uniqueName("authz-policy"), decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] });
  const app = () => {
    const n = uniqueName("authz-app");
    return api("POST", "apps", { name: n, type: "self_hosted", domain: `${n}.authz.example.com` });
  };
  const certHostname = `${u}.authz.example.com`;
  const cert = (h: string[]) => api("POST", "certificates", { name: uniqueName("authz-cert"), certificate: generateRoot(`/CN=${uniqueName("Authz CA")}`).pem, associated_hostnames: h });
  fx = {
    accountId,
    zoneId,
    policyId: await policy(),
    appId: await app(),
    certId: await cert([certHostname]),
    certHostname,
    victimPolicyId: await policy(),
    victimAppId: await app(),
    victimCertId: await cert([]),
    leafPem: generateRoot(`/CN=${u} client`).pem,
    unique: u,
  };
});
test.afterAll(async () => {
  for (const c of Object.values(ctx ?? {})) await c.dispose();
});

test("the table lists every page, route method and server action", () => {
  const pages = appFiles.filter((f) => f.endsWith("/page.tsx")).sort();
  expect(pages, "pages missing from e2e/helpers/authz-table.ts PAGES").toEqual(Object.keys({ ...PAGES, ...PUBLIC_PAGES }).sort());
  const routes = appFiles.filter((f) => f.endsWith("/route.ts")).sort();
  expect(routes, "route handlers missing from ROUTES").toEqual(Object.keys(ROUTES).sort());
  for (const r of routes) expect(Object.keys(ROUTES[r]).sort(), `methods of ${r}`).toEqual(exportedMethods(r));
  const built = [...actionIds.keys()].sort();
  const listed = Object.keys(ACTIONS).sort();
  expect(built, "server actions in the build missing from ACTIONS").toEqual(built.filter((k) => listed.includes(k)));
  expect(sourceActions(), "exports of \"use server\" files missing from ACTIONS").toEqual(sourceActions().filter((k) => listed.includes(k)));
  expect(listed, "ACTIONS lists actions that no longer exist").toEqual(sourceActions());
});

test("pages: anonymous and API tokens are sent to /login; viewer and admin get the page", async () => {
  for (const [file, c] of Object.entries(PAGES)) {
    for (const who of PRINCIPALS) {
      const res = await ctx[who].get(c.url(fx), { maxRedirects: 0 });
      const label = `${who} GET ${c.url(fx)} (${file})`;
      if (who === "admin" || (who === "viewer" && !c.viewer)) expect.soft(res.status(), label).toBe(200);
      else if (who === "viewer") {
        expect.soft([302, 303, 307, 308], label).toContain(res.status());
        expect.soft(res.headers()["location"] ?? "", label).not.toMatch(/\/login/);
      } else {
        expect.soft([302, 303, 307, 308], label).toContain(res.status());
        expect.soft(res.headers()["location"] ?? "", label).toMatch(/\/login/);
      }
    }
  }
  for (const [file, c] of Object.entries(PUBLIC_PAGES)) {
    for (const who of ["anonymous", "readToken"] as const) expect((await ctx[who].get(c.url(fx), { maxRedirects: 0 })).status(), `${who} ${file}`).toBe(200);
  }
});

test("route handlers answer every caller as the table says, never with a 5xx", async () => {
  // The edit token goes last, so that its DELETEs happen after everyone else was refused.
  const order: Principal[] = ["anonymous", "viewer", "admin", "readToken", "viewerEditToken", "editToken"];
  for (const [file, methods] of Object.entries(ROUTES)) {
    for (const method of METHODS) {
      const c = methods[method];
      if (!c) continue;
      for (const who of order) {
        const url = c.url(fx);
        const res = await ctx[who].fetch(url, { method, data: c.body ? c.body(fx) : undefined, maxRedirects: 0 });
        const text = await res.text();
        const label = `${who} ${method} ${url} (${file}): ${text.slice(0, 300)}`;
        expect.soft(res.status(), label).toBe(c.expect[who]);
        if ((url.startsWith("/client/v4") && !url.endsWith("openapi.json")) || url.startsWith("/api/v1")) {
          expect(res.headers()["content-type"], label).toMatch(/application\/json/);
          const json = JSON.parse(text);
          expect.soft(json.success, label).toBe(res.status() < 300);
          if (res.status() === 401) expect.soft(json.errors[0].message, label).toMatch(/^Authentication error/);
        }
      }
    }
  }
});

test("server actions: anonymous → session ended, viewer → read-only, admin with garbage → a validation message", async () => {
  for (const [key, c] of Object.entries(ACTIONS)) {
    const id = actionId(key);
    for (const who of ["anonymous", "viewer", "admin"] as const) {
      const r = await callAction(ctx[who], id, c.page(fx), c.encoding, c.garbage);
      const label = `${who} → ${key}: ${r.status} ${r.text.slice(0, 400)}`;
      if (who === "anonymous" && c.access !== "public") {
        // proxy.ts refuses a signed-out server action before it runs: 401, the same words in plain text.
        expect.soft(r.status, label).toBe(401);
        expect.soft(r.text, label).toBe(SESSION_ENDED);
        continue;
      }
      expect.soft(r.status, label).toBe(200);
      const result = actionResult(r.text);
      expect.soft(result, label).not.toBeNull();
      if (!result) continue;
      expect.soft(result.ok, label).toBe(false);
      expect.soft(result.message ?? "", label).not.toMatch(/Something went wrong/);
      if (c.access === "public") expect.soft(result.message, label).toBeTruthy();
      else if (who === "anonymous") expect.soft(result.message, label).toBe(SESSION_ENDED);
      else if (who === "viewer" && c.access === "write") expect.soft(result.message, label).toBe(READ_ONLY_MESSAGE);
      else expect.soft(result.message, label).not.toMatch(new RegExp(`^(${SESSION_ENDED}|${READ_ONLY_MESSAGE.replace(/[().]/g, "\\$&")})$`));
    }
  }
});

test("tokens never open the console: a Bearer token with a page's server action is treated as anonymous", async () => {
  const key = "lib/actions/policies.ts#savePolicyAction";
  const r = await callAction(ctx.editToken, actionId(key), "/access-controls/policies/new", "json", [null, { policy: { name: "x" } }]);
  expect(r.status).toBe(401);
  expect(r.text).toBe(SESSION_ENDED);
});

// ---------- replayed session cookies: a session that ended stays ended ----------
const USERS = "lib/actions/users.ts";
const REPLAY_PASSWORD = "authz-replay-password-1";

async function passwordSignIn(email: string, password: string): Promise<APIRequestContext> {
  const c = await newCtx();
  const { csrfToken } = await (await c.get("/api/auth/csrf")).json();
  const res = await c.post("/api/auth/callback/credentials", { form: { csrfToken, email, password, json: "true" } });
  expect(new URL((await res.json()).url).searchParams.get("error"), `sign-in of ${email}`).toBeNull();
  return c;
}

/** The cookies of a signed-in context, replayed from a fresh context (as a thief would). */
async function replayOf(c: APIRequestContext): Promise<APIRequestContext> {
  const { cookies } = await c.storageState();
  expect(cookies.map((k) => k.name)).toContain("next-auth.session-token");
  return pwRequest.newContext({ baseURL, storageState: { cookies, origins: [] } });
}

/** A page sends the replayed cookie to /login, a download answers 401, a server action says the session ended. */
async function expectSessionEnded(c: APIRequestContext, label: string) {
  const page = await c.get("/settings", { maxRedirects: 0 });
  expect.soft([302, 303, 307, 308], `${label}: GET /settings`).toContain(page.status());
  expect.soft(page.headers()["location"] ?? "", `${label}: GET /settings`).toMatch(/\/login/);
  expect.soft((await c.get("/nginx-export/download?file=nginx.conf", { maxRedirects: 0 })).status(), `${label}: download`).toBe(401);
  const r = await callAction(c, actionId(`${USERS}#signOutEverywhereAction`), "/", "form", { scope: "everywhere" });
  // proxy.ts may refuse it first (401, plain text); otherwise the action itself finds no session.
  const message = r.status === 401 ? r.text : actionResult(r.text)?.message;
  expect.soft(message, `${label}: server action (${r.status})`).toBe(SESSION_ENDED);
}

async function expectSignedIn(c: APIRequestContext, label: string) {
  expect((await c.get("/settings", { maxRedirects: 0 })).status(), label).toBe(200);
}

test("a captured session cookie replayed after sign-out, a password reset, Sign out everywhere, a role change or Delete user gets /login and 401", async () => {
  // Its own user, so that the shared admin and viewer sessions of the other specs stay valid.
  const email = `${fx.unique}-replay@portcullis.test`;
  const added = await formAction(ctx.admin, `${USERS}#addUserAction`, "/settings", { email, name: "Replay", password: REPLAY_PASSWORD, role: "admin" });
  const id = /"id":"([0-9a-f-]{36})"/.exec(added)![1];

  // Sign-out.
  const a = await passwordSignIn(email, REPLAY_PASSWORD);
  const stolenA = await replayOf(a);
  await expectSignedIn(stolenA, "replay before sign-out");
  const { csrfToken } = await (await a.get("/api/auth/csrf")).json();
  expect((await a.post("/api/auth/signout", { form: { csrfToken, json: "true" } })).status()).toBe(200);
  await expectSessionEnded(stolenA, "after sign-out");
  // The sign-out ended that session only.
  const b = await passwordSignIn(email, REPLAY_PASSWORD);
  await expectSignedIn(b, "another session of the same user");

  // A password reset by an admin ends every session of the user.
  const stolenB = await replayOf(b);
  await formAction(ctx.admin, `${USERS}#resetPasswordAction`, "/settings", { id, password: `${REPLAY_PASSWORD}-new` });
  await expectSessionEnded(stolenB, "after a password reset");
  await expectSessionEnded(b, "the user's own browser after a password reset");

  // Sign out everywhere, from one of two browsers.
  const c1 = await passwordSignIn(email, `${REPLAY_PASSWORD}-new`);
  const c2 = await passwordSignIn(email, `${REPLAY_PASSWORD}-new`);
  const stolenC = await replayOf(c2);
  await formAction(c1, `${USERS}#signOutEverywhereAction`, "/", { scope: "everywhere" });
  await expectSessionEnded(stolenC, "after Sign out everywhere");
  await expectSessionEnded(c1, "the browser that signed out everywhere");

  // A role change.
  const d = await passwordSignIn(email, `${REPLAY_PASSWORD}-new`);
  const stolenD = await replayOf(d);
  await formAction(ctx.admin, `${USERS}#changeRoleAction`, "/settings", { id, role: "viewer" });
  await expectSessionEnded(stolenD, "after a role change");

  // Delete user.
  const e = await passwordSignIn(email, `${REPLAY_PASSWORD}-new`);
  const stolenE = await replayOf(e);
  await formAction(ctx.admin, `${USERS}#deleteUserAction`, "/settings", { id });
  await expectSessionEnded(stolenE, "after Delete user");

  // The shared sessions of the other specs were not touched.
  await expectSignedIn(ctx.admin, "the admin");
  await expectSignedIn(ctx.viewer, "the viewer");
  for (const x of [a, b, c1, c2, d, e, stolenA, stolenB, stolenC, stolenD, stolenE]) await x.dispose();
});
