/**
 * Revocation over the REST API in the authorisation matrix, spread into ROUTES by authz-table.ts: a certificate's
 * CRL and CRL URL, and per-hostname revocation settings. Writes are answered 400 or 404 so the matrix changes no
 * CRL and no setting (an empty body, an empty settings list, an unknown certificate).
 */
import type { Fx, Method, RouteCase } from "./authz-table";
import type { Builders } from "./authz-zone";

const A = "app/client/v4/accounts/[account_id]/access/certificates";
const NO_CERT = "00000000-0000-4000-8000-000000000000";

export function revocationRoutes({ apiRead, apiWrite, na }: Builders): Record<string, Partial<Record<Method, RouteCase>>> {
  const crl = (f: Fx) => `/client/v4/accounts/${f.accountId}/access/certificates/${f.certId}/crl`;
  const noCrl = (f: Fx) => `/client/v4/accounts/${f.accountId}/access/certificates/${NO_CERT}/crl`;
  const settings = (f: Fx) => `/client/v4/accounts/${f.accountId}/access/certificates/revocation_settings`;
  return {
    [`${A}/[certificate_id]/crl/route.ts`]: {
      GET: { url: crl, expect: apiRead() },
      // Neither crl nor crl_url: refused with 400 before anything changes.
      PUT: { url: crl, body: () => ({}), expect: apiWrite(400) },
      DELETE: { url: noCrl, expect: apiWrite(404) },
      POST: na(crl),
      PATCH: na(crl),
    },
    [`${A}/revocation_settings/route.ts`]: {
      GET: { url: settings, expect: apiRead() },
      PUT: { url: settings, body: () => ({ settings: [] }), expect: apiWrite(400) },
      POST: na(settings),
      PATCH: na(settings),
      DELETE: na(settings),
    },
  };
}
