/**
 * Blocked certificates in the authorisation matrix (issue #17 §4), spread into PAGES, ROUTES and ACTIONS by
 * authz-table.ts: the page, `/client/v4/accounts/{account_id}/access/blocked_certificates` and the two server actions.
 * Writes are refused or answered 400/404 so the matrix blocks nothing (no reason, an unknown id).
 */
import type { ActionCase, Fx, Method, PageCase, RouteCase } from "./authz-table";
import type { Builders } from "./authz-zone";

const A = "app/client/v4/accounts/[account_id]/access";
const NO_BLOCK = "00000000-0000-4000-8000-000000000000";
const PAGE = "/access-controls/service-credentials/mutual-tls/blocked";
const junk = "<script>alert(1)</script>";

export const BLOCKED_PAGES: Record<string, PageCase> = {
  "app/(console)/access-controls/service-credentials/mutual-tls/blocked/page.tsx": { url: () => PAGE },
};

export function blockedRoutes({ apiRead, apiWrite, na }: Builders): Record<string, Partial<Record<Method, RouteCase>>> {
  const list = (f: Fx) => `/client/v4/accounts/${f.accountId}/access/blocked_certificates`;
  const one = (f: Fx) => `${list(f)}/${NO_BLOCK}`;
  return {
    [`${A}/blocked_certificates/route.ts`]: {
      GET: { url: list, expect: apiRead() },
      // No reason: refused with 400 before anything is blocked.
      POST: { url: list, body: () => ({ sha256: "ab".repeat(32), reason: "" }), expect: apiWrite(400) },
      PUT: na(list),
      PATCH: na(list),
      DELETE: na(list),
    },
    [`${A}/blocked_certificates/[blocked_certificate_id]/route.ts`]: {
      GET: { url: one, expect: apiRead(404) },
      DELETE: { url: one, expect: apiWrite(404) },
      POST: na(one),
      PUT: na(one),
      PATCH: na(one),
    },
  };
}

export const BLOCKED_ACTIONS: Record<string, ActionCase> = {
  "lib/actions/blocked-certificates.ts#blockCertificateAction": { page: () => PAGE, encoding: "form", garbage: { sha256: junk, reason: "", match: junk }, access: "write" },
  "lib/actions/blocked-certificates.ts#unblockCertificateAction": { page: () => PAGE, encoding: "form", garbage: { id: junk }, access: "write" },
};
