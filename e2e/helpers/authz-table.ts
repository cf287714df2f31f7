/**
 * THE authorisation matrix: every page, route handler (× exported method) and server action (those in
 * ./authz-actions), against every kind of caller. e2e/authz.spec.ts enumerates app/** and the build's
 * server-reference manifest and fails when something is missing here, so a new route cannot be forgotten.
 */
import { zoneRoutes } from "./authz-zone";
import { BLOCKED_PAGES, blockedRoutes } from "./authz-blocked";
import { revocationRoutes } from "./authz-revocation";

export const PRINCIPALS = ["anonymous", "viewer", "admin", "readToken", "editToken", "viewerEditToken"] as const;
export type Principal = (typeof PRINCIPALS)[number];
export const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
export type Method = (typeof METHODS)[number];

/** Objects created in beforeAll so that URLs and bodies can be valid. `victim*` are deleted by the edit token. */
export interface Fx {
  accountId: string;
  zoneId: string;
  policyId: string;
  appId: string;
  certId: string;
  certHostname: string;
  victimPolicyId: string;
  victimAppId: string;
  victimCertId: string;
  leafPem: string;
  unique: string;
}

// ---------- pages: anonymous and tokens are sent to /login; signed-in users get the page ----------
export interface PageCase {
  url: (f: Fx) => string;
  /** "elsewhere": write-only pages send viewers back to a page they can read (a redirect, not to /login). */
  viewer?: "elsewhere";
}
export const PAGES: Record<string, PageCase> = {
  "app/(console)/page.tsx": { url: () => "/" },
  "app/(console)/access-controls/applications/page.tsx": { url: () => "/access-controls/applications" },
  "app/(console)/access-controls/applications/new/page.tsx": { url: () => "/access-controls/applications/new", viewer: "elsewhere" },
  "app/(console)/access-controls/applications/[id]/page.tsx": { url: (f) => `/access-controls/applications/${f.appId}` },
  "app/(console)/access-controls/mtls-setup/page.tsx": { url: () => "/access-controls/mtls-setup" },
  "app/(console)/access-controls/policies/page.tsx": { url: () => "/access-controls/policies" },
  "app/(console)/access-controls/policies/new/page.tsx": { url: () => "/access-controls/policies/new", viewer: "elsewhere" },
  "app/(console)/access-controls/policies/[id]/page.tsx": { url: (f) => `/access-controls/policies/${f.policyId}` },
  "app/(console)/access-controls/service-credentials/mutual-tls/page.tsx": { url: () => "/access-controls/service-credentials/mutual-tls" },
  "app/(console)/access-controls/service-credentials/mutual-tls/new/page.tsx": { url: () => "/access-controls/service-credentials/mutual-tls/new" },
  "app/(console)/access-controls/service-credentials/mutual-tls/[id]/page.tsx": { url: (f) => `/access-controls/service-credentials/mutual-tls/${f.certId}` },
  "app/(console)/access-controls/service-credentials/service-tokens/page.tsx": { url: () => "/access-controls/service-credentials/service-tokens" },
  ...BLOCKED_PAGES,
  "app/(console)/access-controls/service-credentials/client-certificates/page.tsx": { url: () => "/access-controls/service-credentials/client-certificates" },
  "app/(console)/access-controls/test/page.tsx": { url: () => "/access-controls/test" },
  "app/(console)/access-log/page.tsx": { url: () => "/access-log" },
  "app/(console)/alerts/page.tsx": { url: () => "/alerts" },
  "app/(console)/api-docs/page.tsx": { url: () => "/api-docs" },
  "app/(console)/audit-log/page.tsx": { url: () => "/audit-log" },
  "app/(console)/nginx-export/page.tsx": { url: () => "/nginx-export" },
  "app/(console)/settings/page.tsx": { url: () => "/settings" },
};
/** Public pages: everyone gets them. */
export const PUBLIC_PAGES: Record<string, PageCase> = {
  "app/login/page.tsx": { url: () => "/login" },
};

// ---------- route handlers ----------
export type Expect = Record<Principal, number>;
export interface RouteCase {
  url: (f: Fx) => string;
  body?: (f: Fx) => unknown;
  expect: Expect;
}
const all = (status: number): Expect => ({ anonymous: status, viewer: status, admin: status, readToken: status, editToken: status, viewerEditToken: status });
/** Token-only API read: cookies do not authenticate the API. */
const apiRead = (status = 200): Expect => ({ anonymous: 401, viewer: 401, admin: 401, readToken: status, editToken: status, viewerEditToken: status });
/** Token-only API write: read tokens and tokens of viewers are refused; `edit` is what the edit token gets. */
const apiWrite = (edit: number): Expect => ({ anonymous: 401, viewer: 401, admin: 401, readToken: 403, editToken: edit, viewerEditToken: 403 });
/** Console downloads: session cookie only. */
const session = (status = 200): Expect => ({ anonymous: 401, viewer: status, admin: status, readToken: 401, editToken: 401, viewerEditToken: 401 });
const na = (url: RouteCase["url"]): RouteCase => ({ url, expect: all(405) });

const acc = (f: Fx) => `/client/v4/accounts/${f.accountId}/access`;
const policyBody = (f: Fx) => ({ name: `authz-${f.unique}-${Math.random().toString(36).slice(2, 8)}`, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] });
const appBody = (f: Fx) => {
  const n = `authz-${f.unique}-${Math.random().toString(36).slice(2, 8)}`;
  return { name: n, type: "self_hosted", domain: `${n}.authz.example.com` };
};

const P = "app/client/v4/accounts/[account_id]/access";
const NO_TOKEN = "00000000-0000-4000-8000-000000000000";
export const ROUTES: Record<string, Partial<Record<Method, RouteCase>>> = {
  [`${P}/policies/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/policies`, expect: apiRead() },
    POST: { url: (f) => `${acc(f)}/policies`, body: policyBody, expect: apiWrite(201) },
    PUT: na((f) => `${acc(f)}/policies`),
    PATCH: na((f) => `${acc(f)}/policies`),
    DELETE: na((f) => `${acc(f)}/policies`),
  },
  [`${P}/policies/[policy_id]/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/policies/${f.policyId}`, expect: apiRead() },
    PUT: { url: (f) => `${acc(f)}/policies/${f.policyId}`, body: policyBody, expect: apiWrite(200) },
    DELETE: { url: (f) => `${acc(f)}/policies/${f.victimPolicyId}`, expect: apiWrite(202) },
    POST: na((f) => `${acc(f)}/policies/${f.policyId}`),
    PATCH: na((f) => `${acc(f)}/policies/${f.policyId}`),
  },
  [`${P}/apps/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/apps`, expect: apiRead() },
    POST: { url: (f) => `${acc(f)}/apps`, body: appBody, expect: apiWrite(201) },
    PUT: na((f) => `${acc(f)}/apps`),
    PATCH: na((f) => `${acc(f)}/apps`),
    DELETE: na((f) => `${acc(f)}/apps`),
  },
  [`${P}/apps/[app_id]/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/apps/${f.appId}`, expect: apiRead() },
    PUT: { url: (f) => `${acc(f)}/apps/${f.appId}`, body: appBody, expect: apiWrite(200) },
    DELETE: { url: (f) => `${acc(f)}/apps/${f.victimAppId}`, expect: apiWrite(202) },
    POST: na((f) => `${acc(f)}/apps/${f.appId}`),
    PATCH: na((f) => `${acc(f)}/apps/${f.appId}`),
  },
  [`${P}/certificates/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/certificates`, expect: apiRead() },
    // A certificate is not cheap to make valid and unique: the edit token gets the validation error.
    POST: { url: (f) => `${acc(f)}/certificates`, body: () => ({ name: "authz", certificate: "not a PEM" }), expect: apiWrite(400) },
    PUT: na((f) => `${acc(f)}/certificates`),
    PATCH: na((f) => `${acc(f)}/certificates`),
    DELETE: na((f) => `${acc(f)}/certificates`),
  },
  [`${P}/certificates/[certificate_id]/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/certificates/${f.certId}`, expect: apiRead() },
    PUT: { url: (f) => `${acc(f)}/certificates/${f.certId}`, body: (f) => ({ name: `authz cert ${f.unique}`, associated_hostnames: [f.certHostname] }), expect: apiWrite(200) },
    DELETE: { url: (f) => `${acc(f)}/certificates/${f.victimCertId}`, expect: apiWrite(200) },
    POST: na((f) => `${acc(f)}/certificates/${f.certId}`),
    PATCH: na((f) => `${acc(f)}/certificates/${f.certId}`),
  },
  [`${P}/certificates/settings/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/certificates/settings`, expect: apiRead() },
    PUT: {
      url: (f) => `${acc(f)}/certificates/settings`,
      body: (f) => ({ settings: [{ hostname: f.certHostname, china_network: false, client_certificate_forwarding: true }] }),
      expect: apiWrite(202),
    },
    POST: na((f) => `${acc(f)}/certificates/settings`),
    PATCH: na((f) => `${acc(f)}/certificates/settings`),
    DELETE: na((f) => `${acc(f)}/certificates/settings`),
  },
  // Service tokens: an id no token has (the edit token reaches the domain: 404), and a create without a name (400),
  // so the matrix neither creates tokens nor uses up the 50-token limit.
  [`${P}/service_tokens/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/service_tokens`, expect: apiRead() },
    POST: { url: (f) => `${acc(f)}/service_tokens`, body: () => ({ name: "" }), expect: apiWrite(400) },
    PUT: na((f) => `${acc(f)}/service_tokens`),
    PATCH: na((f) => `${acc(f)}/service_tokens`),
    DELETE: na((f) => `${acc(f)}/service_tokens`),
  },
  [`${P}/service_tokens/[service_token_id]/route.ts`]: {
    GET: { url: (f) => `${acc(f)}/service_tokens/${NO_TOKEN}`, expect: apiRead(404) },
    PUT: { url: (f) => `${acc(f)}/service_tokens/${NO_TOKEN}`, body: () => ({ name: "authz" }), expect: apiWrite(404) },
    DELETE: { url: (f) => `${acc(f)}/service_tokens/${NO_TOKEN}`, expect: apiWrite(404) },
    POST: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}`),
    PATCH: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}`),
  },
  [`${P}/service_tokens/[service_token_id]/refresh/route.ts`]: {
    POST: { url: (f) => `${acc(f)}/service_tokens/${NO_TOKEN}/refresh`, expect: apiWrite(404) },
    GET: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/refresh`),
    PUT: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/refresh`),
    PATCH: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/refresh`),
    DELETE: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/refresh`),
  },
  [`${P}/service_tokens/[service_token_id]/rotate/route.ts`]: {
    POST: { url: (f) => `${acc(f)}/service_tokens/${NO_TOKEN}/rotate`, body: () => ({}), expect: apiWrite(404) },
    GET: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/rotate`),
    PUT: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/rotate`),
    PATCH: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/rotate`),
    DELETE: na((f) => `${acc(f)}/service_tokens/${NO_TOKEN}/rotate`),
  },
  "app/client/v4/user/tokens/verify/route.ts": {
    GET: { url: () => "/client/v4/user/tokens/verify", expect: apiRead() },
    POST: na(() => "/client/v4/user/tokens/verify"),
    PUT: na(() => "/client/v4/user/tokens/verify"),
    PATCH: na(() => "/client/v4/user/tokens/verify"),
    DELETE: na(() => "/client/v4/user/tokens/verify"),
  },
  // Public description of the API.
  "app/client/v4/openapi.json/route.ts": {
    GET: { url: () => "/client/v4/openapi.json", expect: all(200) },
    POST: na(() => "/client/v4/openapi.json"),
    PUT: na(() => "/client/v4/openapi.json"),
    PATCH: na(() => "/client/v4/openapi.json"),
    DELETE: na(() => "/client/v4/openapi.json"),
  },
  ...zoneRoutes({ apiRead, apiWrite, na }),
  ...blockedRoutes({ apiRead, apiWrite, na }),
  ...revocationRoutes({ apiRead, apiWrite, na }),
  // Anything else under /client/v4: a JSON 404 for everyone (it reveals nothing).
  "app/client/v4/[[...path]]/route.ts": Object.fromEntries(METHODS.map((m) => [m, { url: () => "/client/v4/no/such/route", expect: all(404) }])),
  // Token auth; Read permission is enough (nothing changes).
  "app/api/v1/test-mtls/route.ts": {
    POST: { url: () => "/api/v1/test-mtls", body: (f) => ({ hostname: f.certHostname, certificate: f.leafPem }), expect: apiRead(200) },
    GET: na(() => "/api/v1/test-mtls"),
    PUT: na(() => "/api/v1/test-mtls"),
    PATCH: na(() => "/api/v1/test-mtls"),
    DELETE: na(() => "/api/v1/test-mtls"),
  },
  "app/api/health/route.ts": { GET: { url: () => "/api/health", expect: all(200) } },
  // The managed CA's published CRL needs no sign-in; an id no CA has is 404 for everyone.
  "app/cdn-cgi/pki/crl/[file]/route.ts": { GET: { url: () => "/cdn-cgi/pki/crl/00000000-0000-4000-8000-000000000000.crl", expect: all(404) } },
  // next-auth: the session endpoint answers everyone (empty for strangers); a POST without its CSRF token is refused.
  "app/api/auth/[...nextauth]/route.ts": {
    GET: { url: () => "/api/auth/session", expect: all(200) },
    POST: { url: () => "/api/auth/signout", body: () => ({}), expect: all(302) },
  },
  "app/(console)/nginx-export/download/route.ts": { GET: { url: () => "/nginx-export/download?file=nginx.conf", expect: session() } },
  // The console's live data, polled by the browser: a session cookie only (any role), refused by proxy.ts with 401.
  "app/api/console/access-log/route.ts": { GET: { url: () => "/api/console/access-log?decision=deny", expect: session() } },
  "app/api/console/overview/route.ts": { GET: { url: () => "/api/console/overview", expect: session() } },
  "app/api/console/overview/access-summary/route.ts": { GET: { url: () => "/api/console/overview/access-summary", expect: session() } },
  "app/api/console/alerts/route.ts": { GET: { url: () => "/api/console/alerts", expect: session() } },
  "app/(console)/access-controls/service-credentials/mutual-tls/[id]/pem/route.ts": {
    GET: { url: (f) => `/access-controls/service-credentials/mutual-tls/${f.certId}/pem`, expect: session() },
  },
};

// The server actions (invoked over HTTP like the browser does) are in ./authz-actions.
export { ACTIONS, actionIdsFromBuild, actionResult, callAction, type ActionCase } from "./authz-actions";
