/**
 * The REST API fuzz test's routes (./api-bodies): the handlers as Next serves them, the fixtures they write to,
 * and the invariants every answer keeps.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "vitest";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { API_CODES } from "@/lib/api/errors";
import { createApiToken } from "@/lib/domain/api-tokens";
import { createApplication } from "@/lib/domain/applications";
import { createCertificate } from "@/lib/domain/certificates";
import { createPolicy } from "@/lib/domain/policies";
import { createFirstAdmin } from "@/lib/domain/users";
import type { Actor } from "@/lib/domain/core/actor";
import type { BodyShape } from "./api-arbitraries";
import type { SmallPki } from "./helpers";

export type Handler = (request: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>;
export type Method = "POST" | "PUT" | "PATCH" | "DELETE" | "GET";
export type Module = Record<string, unknown>;

export const load = {
  policies: () => import("@/app/client/v4/accounts/[account_id]/access/policies/route") as Promise<Module>,
  policy: () => import("@/app/client/v4/accounts/[account_id]/access/policies/[policy_id]/route") as Promise<Module>,
  apps: () => import("@/app/client/v4/accounts/[account_id]/access/apps/route") as Promise<Module>,
  app: () => import("@/app/client/v4/accounts/[account_id]/access/apps/[app_id]/route") as Promise<Module>,
  certs: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/route") as Promise<Module>,
  cert: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/[certificate_id]/route") as Promise<Module>,
  settings: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/settings/route") as Promise<Module>,
  crl: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/[certificate_id]/crl/route") as Promise<Module>,
  revocationSettings: () => import("@/app/client/v4/accounts/[account_id]/access/certificates/revocation_settings/route") as Promise<Module>,
  verify: () => import("@/app/client/v4/user/tokens/verify/route") as Promise<Module>,
  noRoute: () => import("@/app/client/v4/[[...path]]/route") as Promise<Module>,
};

/** Which routes a test file covers. */
export type ApiArea = "access" | "certificates" | "revocation";

export interface Route {
  name: string;
  area: ApiArea;
  method: Method;
  mod: Module;
  /** Path params; the account id is filled in. */
  params: () => Record<string, string>;
  path: (p: Record<string, string>) => string;
  /** Which kind of valid-shaped body this route takes. */
  shape: BodyShape | "none";
}

/** The ids the routes write to, filled in by `seedFixtures`. */
export interface Fixture {
  policyId: string;
  appId: string;
  certId: string;
  hostname: string;
  /** where the fixture's CRL server serves the root's CRL (any other path: 404) */
  crlUrl: string;
}

/**
 * The admin, its API token and the fixtures the routes write to (a policy, a certificate, an application), and a
 * loopback HTTP server with the root's CRL for the routes that download one (`close` stops it).
 */
export async function seedFixtures(pki: SmallPki, fixture: Fixture): Promise<{ token: string; accountId: string; close: () => void }> {
  const crlServer = http.createServer((req, res) => {
    res.writeHead(req.url === "/root.crl" ? 200 : 404, { "content-type": "application/pkix-crl" });
    res.end(req.url === "/root.crl" ? pki.rootCrlPem : "");
  });
  await new Promise<void>((r) => crlServer.listen(0, "127.0.0.1", r));
  fixture.crlUrl = `http://127.0.0.1:${(crlServer.address() as AddressInfo).port}/root.crl`;
  const u = await createFirstAdmin({ email: "fuzz@example.com", name: "Fuzz", password: "a-long-password-1" }, null);
  if (!u.ok) throw new Error(u.error.message);
  const admin: Actor = { type: "user", id: u.value.id, label: u.value.email, role: "admin", permission: "edit" };
  const t = await createApiToken(admin, { name: "fuzz", permission: "edit" });
  if (!t.ok) throw new Error(t.error.message);
  const p = await createPolicy(admin, { name: "fuzz fixture", decision: "allow", include: [{ everyone: {} }] });
  const c = await createCertificate(admin, { name: "fuzz fixture", certificate: pki.rootPem, associated_hostnames: [fixture.hostname] });
  if (!p.ok || !c.ok) throw new Error("fixtures");
  const a = await createApplication(admin, { name: "fuzz fixture", domain: fixture.hostname, policies: [p.value.id] });
  if (!a.ok) throw new Error(a.error.message);
  Object.assign(fixture, { policyId: p.value.id, appId: a.value.id, certId: c.value.id });
  return { token: t.value.secret, accountId: (await getSetting<string>(await getDb(), "account_id"))!, close: () => crlServer.close() };
}

/**
 * Every write route of the areas (and methods they do not implement), against the fixtures; for revocation also the
 * reads and the DELETE of the fixture's CRL.
 */
export async function accountRoutes(accountId: string, fixture: Fixture): Promise<Route[]> {
  const [policies, policy, apps, app, certs, cert, settings, crl, revocation] = await Promise.all([
    load.policies(),
    load.policy(),
    load.apps(),
    load.app(),
    load.certs(),
    load.cert(),
    load.settings(),
    load.crl(),
    load.revocationSettings(),
  ]);
  const base = (rest: string) => `/accounts/${accountId}/access/${rest}`;
  const certParams = () => ({ certificate_id: fixture.certId });
  const crlPath = (p: Record<string, string>) => base(`certificates/${enc(p.certificate_id)}/crl`);
  return [
    { name: "POST policies", area: "access", method: "POST", mod: policies, params: () => ({}), path: () => base("policies"), shape: "policy" },
    { name: "PUT policies/:id", area: "access", method: "PUT", mod: policy, params: () => ({ policy_id: fixture.policyId }), path: (p) => base(`policies/${enc(p.policy_id)}`), shape: "policy" },
    { name: "POST apps", area: "access", method: "POST", mod: apps, params: () => ({}), path: () => base("apps"), shape: "app" },
    { name: "PUT apps/:id", area: "access", method: "PUT", mod: app, params: () => ({ app_id: fixture.appId }), path: (p) => base(`apps/${enc(p.app_id)}`), shape: "app" },
    { name: "POST certificates", area: "certificates", method: "POST", mod: certs, params: () => ({}), path: () => base("certificates"), shape: "certCreate" },
    { name: "PUT certificates/:id", area: "certificates", method: "PUT", mod: cert, params: () => ({ certificate_id: fixture.certId }), path: (p) => base(`certificates/${enc(p.certificate_id)}`), shape: "certUpdate" },
    { name: "PUT certificates/settings", area: "certificates", method: "PUT", mod: settings, params: () => ({}), path: () => base("certificates/settings"), shape: "settings" },
    // Methods a route does not implement still answer (405) — with a body, too.
    { name: "PATCH policies", area: "access", method: "PATCH", mod: policies, params: () => ({}), path: () => base("policies"), shape: "none" },
    { name: "POST certificates/:id", area: "certificates", method: "POST", mod: cert, params: () => ({ certificate_id: fixture.certId }), path: (p) => base(`certificates/${enc(p.certificate_id)}`), shape: "none" },
    { name: "PUT certificates/:id/crl", area: "revocation", method: "PUT", mod: crl, params: certParams, path: crlPath, shape: "crl" },
    { name: "PUT certificates/revocation_settings", area: "revocation", method: "PUT", mod: revocation, params: () => ({}), path: () => base("certificates/revocation_settings"), shape: "revocationSettings" },
    { name: "DELETE certificates/:id/crl", area: "revocation", method: "DELETE", mod: crl, params: certParams, path: crlPath, shape: "none" },
    { name: "GET certificates/:id/crl", area: "revocation", method: "GET", mod: crl, params: certParams, path: crlPath, shape: "none" },
    { name: "GET certificates/revocation_settings", area: "revocation", method: "GET", mod: revocation, params: () => ({}), path: () => base("certificates/revocation_settings"), shape: "none" },
    { name: "PATCH certificates/:id/crl", area: "revocation", method: "PATCH", mod: crl, params: certParams, path: crlPath, shape: "none" },
  ];
}

/** Stack frames, source paths, or error class names leaking from the server. */
const LEAK = /\n\s+at\s|node_modules|\/work\/|\.(?:ts|js|mjs):\d+|\b(?:TypeError|RangeError|ReferenceError|SyntaxError|DrizzleQueryError|PGlite)\b|Failed query/;
const KNOWN_CODES = new Set<number>(Object.values(API_CODES).filter((c) => c !== API_CODES.internal));
const PROTO_KEYS_BEFORE = Object.getOwnPropertyNames(Object.prototype).sort().join(",");

export interface Answer {
  status: number;
  text: string;
  json: { success: boolean; errors: { code: number; message: string }[]; result: unknown; messages: unknown[] };
}

/** The invariants every answer keeps, whatever was sent. */
export function checkEnvelope(route: Route, res: Response, text: string) {
  const where = `${route.name} → ${res.status} ${text.slice(0, 300)}`;
  expect(res.status, where).toBeGreaterThanOrEqual(200);
  expect(res.status, where).toBeLessThan(500);
  expect(res.headers.get("content-type"), where).toMatch(/^application\/json/);
  expect(text, where).not.toMatch(LEAK);
  let json: Answer["json"];
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`not JSON: ${where}`);
  }
  expect(Array.isArray(json.errors), where).toBe(true);
  expect(Array.isArray(json.messages), where).toBe(true);
  if (res.status >= 400) {
    expect(json.success, where).toBe(false);
    expect(json.result, where).toBeNull();
    expect(json.errors.length, where).toBeGreaterThan(0);
    for (const e of json.errors) {
      expect(Number.isInteger(e.code), where).toBe(true);
      expect(KNOWN_CODES.has(e.code), `unexpected error code: ${where}`).toBe(true);
      expect(typeof e.message, where).toBe("string");
      expect(e.message.trim().length, where).toBeGreaterThan(0);
      expect(e.message, where).not.toMatch(/^(Unknown error|Internal server error)/);
    }
    // An error never echoes a huge input back.
    expect(text.length, `error body of ${text.length} bytes: ${where}`).toBeLessThan(64 * 1024);
  } else {
    expect(json.success, where).toBe(true);
    expect(json.errors, where).toEqual([]);
  }
  expect(Object.getOwnPropertyNames(Object.prototype).sort().join(","), "Object.prototype was polluted").toBe(PROTO_KEYS_BEFORE);
  expect(({} as Record<string, unknown>).polluted, "Object.prototype was polluted").toBeUndefined();
}

/** Percent-encodes a path segment; a lone surrogate (which cannot be encoded) becomes "x" in the URL only. */
export function enc(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return "x";
  }
}
