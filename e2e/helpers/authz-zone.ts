/**
 * The zone-scoped API routes (`/client/v4/zones/{zone_id}/…`) of the authorisation matrix, spread into ROUTES by
 * authz-table.ts, which hands over its expectation builders. Writes are refused or answered 400/404 so the
 * matrix changes nothing (an unknown client certificate id, a body that is not a CSR, a hostname that is not one).
 */
import type { Expect, Fx, Method, RouteCase } from "./authz-table";

export interface Builders {
  apiRead: (status?: number) => Expect;
  apiWrite: (edit: number) => Expect;
  na: (url: RouteCase["url"]) => RouteCase;
}

const Z = "app/client/v4/zones/[zone_id]";
const NO_CERT = "00000000-0000-4000-8000-000000000000";
const zone = (f: Fx) => `/client/v4/zones/${f.zoneId}`;

export function zoneRoutes({ apiRead, apiWrite, na }: Builders): Record<string, Partial<Record<Method, RouteCase>>> {
  const certs = (f: Fx) => `${zone(f)}/client_certificates`;
  const one = (f: Fx) => `${certs(f)}/${NO_CERT}`;
  const associations = (f: Fx) => `${zone(f)}/certificate_authorities/hostname_associations`;
  return {
    [`${Z}/client_certificates/route.ts`]: {
      GET: { url: certs, expect: apiRead() },
      POST: { url: certs, body: () => ({ csr: "not a CSR", validity_days: 365 }), expect: apiWrite(400) },
      PUT: na(certs),
      PATCH: na(certs),
      DELETE: na(certs),
    },
    [`${Z}/client_certificates/[client_certificate_id]/route.ts`]: {
      GET: { url: one, expect: apiRead(404) },
      PATCH: { url: one, body: () => ({}), expect: apiWrite(404) },
      DELETE: { url: one, expect: apiWrite(404) },
      POST: na(one),
      PUT: na(one),
    },
    [`${Z}/certificate_authorities/hostname_associations/route.ts`]: {
      GET: { url: associations, expect: apiRead() },
      PUT: { url: associations, body: () => ({ hostnames: ["not a hostname!"] }), expect: apiWrite(400) },
      POST: na(associations),
      PATCH: na(associations),
      DELETE: na(associations),
    },
  };
}
