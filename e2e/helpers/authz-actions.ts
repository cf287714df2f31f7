/**
 * The authorization table's server actions (./authz-table re-exports them): each action's page, argument encoding,
 * garbage arguments and who may run it, and how the e2e specs invoke one over HTTP like the browser does.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { APIRequestContext } from "@playwright/test";
import { BLOCKED_ACTIONS } from "./authz-blocked";
import type { Fx } from "./authz-table";

export interface ActionCase {
  /** Page the action is posted to. */
  page: (f: Fx) => string;
  /** "form": (prevState, FormData) from useActionState; "json": plain arguments. */
  encoding: "form" | "json";
  /** Garbage arguments (FormData fields for "form"). */
  garbage: Record<string, string> | unknown[];
  /** false: read-only actions viewers may run too. "public": allowed before sign-in (first admin). */
  access: "write" | "read" | "public";
}
const certPage = (f: Fx) => `/access-controls/service-credentials/mutual-tls/${f.certId}`;
const junk = "<script>alert(1)</script>";
const CLIENT_CERTS = "/access-controls/service-credentials/client-certificates";
const MTLS_LIST = "/access-controls/service-credentials/mutual-tls";
export const ACTIONS: Record<string, ActionCase> = {
  "lib/actions/users.ts#addUserAction": { page: () => "/settings", encoding: "form", garbage: { email: junk, role: "owner" }, access: "write" },
  "lib/actions/users.ts#changeRoleAction": { page: () => "/settings", encoding: "form", garbage: { id: junk, role: "owner" }, access: "write" },
  "lib/actions/users.ts#resetPasswordAction": { page: () => "/settings", encoding: "form", garbage: { id: junk, password: "x" }, access: "write" },
  "lib/actions/users.ts#deleteUserAction": { page: () => "/settings", encoding: "form", garbage: { id: junk }, access: "write" },
  // Any signed-in user may end their own sessions; garbage (no scope "everywhere") must end nothing.
  "lib/actions/users.ts#signOutEverywhereAction": { page: () => "/", encoding: "form", garbage: { scope: junk }, access: "read" },
  "lib/actions/api-tokens.ts#createApiTokenAction": { page: () => "/settings", encoding: "form", garbage: { name: "", permission: "owner", expires_at: "yesterday" }, access: "write" },
  "lib/actions/api-tokens.ts#revokeApiTokenAction": { page: () => "/settings", encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/retention.ts#saveRetentionAction": { page: () => "/settings", encoding: "form", garbage: { accessLogDays: junk, auditLogMaxRows: "-1" }, access: "write" },
  "lib/actions/login-methods.ts#saveLoginMethodAction": { page: () => "/settings", encoding: "form", garbage: { intent: "save", name: junk, issuer_url: "javascript:alert(1)", client_secret: "x" }, access: "write" },
  "lib/actions/login-methods.ts#deleteLoginMethodAction": { page: () => "/settings", encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/notifications.ts#saveNotificationsAction": { page: () => "/settings", encoding: "form", garbage: { webhookUrl: "javascript:alert(1)" }, access: "write" },
  "lib/actions/policies.ts#savePolicyAction": { page: () => "/access-controls/policies/new", encoding: "json", garbage: [null, { policy: { name: junk } }], access: "write" },
  "lib/actions/policies.ts#deletePolicyAction": { page: () => "/access-controls/policies", encoding: "json", garbage: [null, junk], access: "write" },
  "lib/actions/applications.ts#saveApplicationAction": { page: () => "/access-controls/applications/new", encoding: "json", garbage: [null, { app: { name: junk, domain: "not a host!" } }], access: "write" },
  "lib/actions/applications.ts#setPoliciesAction": { page: (f) => `/access-controls/applications/${f.appId}`, encoding: "json", garbage: [null, { id: junk, policyIds: [junk], version: "x" }], access: "write" },
  "lib/actions/applications.ts#deleteApplicationAction": { page: (f) => `/access-controls/applications/${f.appId}`, encoding: "json", garbage: [null, junk], access: "write" },
  "lib/actions/certificates.ts#createCertificateAction": { page: () => "/access-controls/service-credentials/mutual-tls/new", encoding: "form", garbage: { name: junk, certificate: "not a PEM" }, access: "write" },
  "lib/actions/certificates.ts#updateCertificateAction": { page: certPage, encoding: "form", garbage: { id: junk, name: "" }, access: "write" },
  "lib/actions/certificates.ts#deleteCertificateAction": { page: certPage, encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/certificates.ts#updateHostnameSettingAction": { page: certPage, encoding: "json", garbage: [{ hostname: "not a host!", china_network: "x" }], access: "write" },
  "lib/actions/crls.ts#saveCrlAction": { page: certPage, encoding: "form", garbage: { id: junk, crl: "not a CRL" }, access: "write" },
  "lib/actions/crls.ts#removeCrlAction": { page: certPage, encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/revocation.ts#saveCrlUrlAction": { page: certPage, encoding: "form", garbage: { id: junk, crl_url: "javascript:alert(1)" }, access: "write" },
  "lib/actions/revocation.ts#saveRevocationSettingAction": { page: certPage, encoding: "json", garbage: [{ hostname: "not a host!", crl_stale_mode: "x", ocsp: "x" }], access: "write" },
  "lib/actions/strict-validation.ts#updateStrictSettingAction": { page: certPage, encoding: "json", garbage: [{ hostname: "not a host!", strict: "x" }], access: "write" },
  "lib/actions/service-tokens.ts#createServiceTokenAction": { page: () => "/access-controls/service-credentials/service-tokens", encoding: "form", garbage: { name: "", duration: junk }, access: "write" },
  "lib/actions/service-tokens.ts#refreshServiceTokenAction": { page: () => "/access-controls/service-credentials/service-tokens", encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/service-tokens.ts#rotateServiceTokenAction": { page: () => "/access-controls/service-credentials/service-tokens", encoding: "form", garbage: { id: junk, grace_hours: "-5" }, access: "write" },
  "lib/actions/service-tokens.ts#deleteServiceTokenAction": { page: () => "/access-controls/service-credentials/service-tokens", encoding: "form", garbage: { id: junk }, access: "write" },
  ...BLOCKED_ACTIONS,
  "lib/actions/client-certificates.ts#issueClientCertificateAction": { page: () => CLIENT_CERTS, encoding: "form", garbage: { csr: junk, validity_days: "-5", label: junk }, access: "write" },
  "lib/actions/client-certificates.ts#revokeClientCertificateAction": { page: () => CLIENT_CERTS, encoding: "form", garbage: { id: junk, reason: junk }, access: "write" },
  "lib/actions/client-certificates.ts#reactivateClientCertificateAction": { page: () => CLIENT_CERTS, encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/managed-ca.ts#createManagedCaAction": { page: () => MTLS_LIST, encoding: "form", garbage: { key_type: junk }, access: "write" },
  "lib/actions/managed-ca.ts#retireManagedCaAction": { page: () => MTLS_LIST, encoding: "form", garbage: { id: junk }, access: "write" },
  "lib/actions/managed-ca.ts#exportManagedCaAction": { page: () => MTLS_LIST, encoding: "form", garbage: { id: junk, password: "x" }, access: "write" },
  "lib/actions/managed-ca.ts#importManagedCaAction": { page: () => MTLS_LIST, encoding: "form", garbage: { file: junk, password: junk }, access: "write" },
  "lib/actions/test-mtls.ts#testMtlsAction": { page: () => "/access-controls/test", encoding: "form", garbage: { hostname: junk, certificate: "not a PEM" }, access: "read" },
  "lib/actions/login.ts#createFirstAdminAction": { page: () => "/login", encoding: "form", garbage: { email: junk, password: "x" }, access: "public" },
};

/** POST a server action the way React's client does (Next-Action header + encoded reply). */
export async function callAction(
  req: APIRequestContext,
  id: string,
  page: string,
  encoding: "form" | "json",
  args: Record<string, string> | unknown[],
  headers: Record<string, string> = {},
): Promise<{ status: number; text: string }> {
  const h = { "Next-Action": id, Accept: "text/x-component", ...headers };
  const res =
    encoding === "json"
      ? await req.post(page, { headers: { ...h, "Content-Type": "text/plain;charset=UTF-8" }, data: JSON.stringify(args), maxRedirects: 0 })
      : await req.post(page, { headers: h, multipart: replyForm(args as Record<string, string>), maxRedirects: 0 });
  return { status: res.status(), text: await res.text() };
}

/** encodeReply of [prevState, formData]: FormData #1's fields prefixed "_1_" first, then the root "0" (order matters). */
function replyForm(fields: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(`_1_${k}`, v);
  fd.append("0", JSON.stringify([null, "$K1"]));
  return fd;
}

/** The action's return value, from the RSC payload: row 0 is `{"a":"$@<row>", …}`. */
export function actionResult(text: string): { ok?: boolean; message?: string; data?: Record<string, unknown> } | null {
  const rows = text.split("\n");
  const head = rows.find((l) => l.startsWith("0:{"));
  const ref = head && /"a":"\$@([0-9a-f]+)"/.exec(head)?.[1];
  const line = ref && rows.find((l) => l.startsWith(`${ref}:{`));
  return line ? JSON.parse(line.slice(ref.length + 1)) : null;
}

/** Server actions of the production build the e2e server runs: "file#export" → action id. */
export function actionIdsFromBuild(root: string): Map<string, string> {
  const file = path.join(root, process.env.NEXT_DIST_DIR || ".next", "server", "server-reference-manifest.json");
  const manifest = JSON.parse(readFileSync(file, "utf8")) as { node: Record<string, { filename?: string; exportedName?: string }> };
  return new Map(Object.entries(manifest.node).map(([id, v]) => [`${v.filename}#${v.exportedName}`, id]));
}
