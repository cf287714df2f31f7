/**
 * `/zones/{zone_id}/client_certificates` in Cloudflare's format (the official SDK's `client.clientCertificates.*`):
 * issue from a CSR (signed by the managed CA), list by status, get, PATCH = reactivate, DELETE = revoke. The
 * domain (lib/domain/client-certificates) validates, audits and regenerates the CRL; this file only translates.
 */
import { z } from "zod";
import { getDb } from "../../db/client";
import {
  getClientCertificate,
  issueClientCertificate,
  listClientCertificates,
  reactivateClientCertificate,
  revokeClientCertificate,
  type ClientCertificateView,
} from "../../domain/client-certificates";
import { readJsonBody, readOptionalJsonBody as optionalBody } from "../body";
import { success } from "../envelope";
import { invalidRequest, notFound } from "../errors";
import { apiRoute, list } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";
import { bodyError, checkPathId, unwrapAs, type ZoneParams } from "./zone";

type CertParams = ZoneParams & { client_certificate_id: string };

/** Domain field names → Cloudflare's, for the pointers of a 400. */
const WIRE_NAMES = { csrPem: "csr", validityDays: "validity_days", reason: "reason" };
const STATUSES = ["all", "active", "pending_reactivation", "pending_revocation", "revoked"] as const;

const createBody = z.object({
  csr: z.string({ error: "csr is required: a PKCS#10 certificate signing request (PEM)" }),
  validity_days: z.number({ error: "validity_days is required: a whole number of days" }).int("validity_days must be a whole number of days"),
  label: z.unknown().optional(),
});
const editBody = z.object({ reactivate: z.boolean({ error: "reactivate must be true or false" }).optional() });

/** Cloudflare's client certificate object (the subject fields are the CSR's), plus Portcullis's label. */
export function toApiClientCertificate(v: ClientCertificateView) {
  return {
    id: v.id,
    certificate: v.certificatePem,
    certificate_authority: v.certificateAuthority,
    common_name: v.commonName,
    country: v.subject.country,
    state: v.subject.state,
    location: v.subject.location,
    organization: v.subject.organization,
    organizational_unit: v.subject.organizational_unit,
    csr: v.csrPem,
    expires_on: v.expiresOn,
    issued_on: v.issuedOn,
    fingerprint_sha256: v.fingerprintSha256,
    serial_number: v.serialNumber,
    signature: v.signature,
    ski: v.ski,
    status: v.status,
    validity_days: v.validityDays,
    label: v.label,
  };
}

const respond = (v: ClientCertificateView) => success(toApiClientCertificate(v));

export const listClientCertificatesRoute = apiRoute<ZoneParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const status = url.searchParams.get("status") || "all";
  if (!(STATUSES as readonly string[]).includes(status)) throw invalidRequest(`status must be one of ${STATUSES.join(", ")} (got "${status.slice(0, 40)}")`);
  // Reactivation takes effect at once here, so nothing is ever pending it.
  if (status === "pending_reactivation") return list([], buildResultInfo(params, 0, 0));
  const db = await getDb();
  const { items, total } = await listClientCertificates(db, {
    status: status === "all" ? undefined : (status as ClientCertificateView["status"]),
    search: url.searchParams.get("search") || undefined,
    page: params.page,
    perPage: params.perPage,
  });
  return list(items.map(toApiClientCertificate), buildResultInfo(params, items.length, total));
});

export const createClientCertificateRoute = apiRoute<ZoneParams>({ write: true }, async ({ request, actor }) => {
  const parsed = createBody.safeParse(await readJsonBody(request));
  if (!parsed.success) throw bodyError(parsed.error.issues);
  const { csr, validity_days, label } = parsed.data;
  return respond(unwrapAs(await issueClientCertificate(await getDb(), actor, { csrPem: csr, validityDays: validity_days, label }), WIRE_NAMES));
});

export const getClientCertificateRoute = apiRoute<CertParams>({}, async ({ params }) => {
  checkPathId(params.client_certificate_id, "client certificate");
  const found = await getClientCertificate(await getDb(), params.client_certificate_id);
  if (!found) throw notFound("No client certificate with that id");
  return respond(found);
});

/** Cloudflare's "edit": reactivate a certificate that was revoked (here revocation is undone at once). */
export const reactivateClientCertificateRoute = apiRoute<CertParams>({ write: true }, async ({ request, actor, params }) => {
  checkPathId(params.client_certificate_id, "client certificate");
  const parsed = editBody.safeParse(await optionalBody(request));
  if (!parsed.success) throw bodyError(parsed.error.issues);
  if (parsed.data.reactivate === false) throw invalidRequest("reactivate: false asks for nothing; send no body or {\"reactivate\": true}", "/reactivate");
  return respond(unwrapAs(await reactivateClientCertificate(await getDb(), actor, params.client_certificate_id), WIRE_NAMES));
});

/** Cloudflare's DELETE revokes (the certificate stays listed as revoked); an optional body may give the reason. */
export const revokeClientCertificateRoute = apiRoute<CertParams>({ write: true }, async ({ request, actor, params }) => {
  checkPathId(params.client_certificate_id, "client certificate");
  const { reason } = await optionalBody(request);
  return respond(unwrapAs(await revokeClientCertificate(await getDb(), actor, params.client_certificate_id, reason), WIRE_NAMES));
});
