import { createCertificate, deleteCertificate, getCertificate, listCertificates, updateCertificate, type CertificateDto } from "../../domain/certificates";
import { getHostnameSettings, updateHostnameSettings } from "../../domain/hostnames";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, paginateArray, parsePageParams, MAX_PER_PAGE } from "../pagination";

type AccountParams = { account_id: string };
type CertParams = AccountParams & { certificate_id: string };

/** Cloudflare's certificate object: summaries and the PEM stay out of the API. */
export function toApiCertificate(c: CertificateDto) {
  return {
    id: c.id,
    name: c.name,
    fingerprint: c.fingerprint,
    associated_hostnames: c.associated_hostnames,
    expires_on: c.expires_on,
    created_at: c.created_at,
    updated_at: c.updated_at,
  };
}

/** A domain Result's warnings as envelope messages (code 10100). */
export const messages = (warnings?: string[]) => (warnings ?? []).map((message) => ({ code: 10100, message }));

export const listCertificatesRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const { items, total } = await listCertificates({ page: params.page, perPage: params.perPage });
  return list(items.map(toApiCertificate), buildResultInfo(params, items.length, total));
});

export const createCertificateRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const body = await readJsonBody(request);
  const result = await createCertificate(actor, body);
  const created = unwrap(result);
  return success(toApiCertificate(created), { status: 201, messages: messages(result.ok ? result.warnings : undefined) });
});

export const getCertificateRoute = apiRoute<CertParams>({}, async ({ params }) => {
  const cert = await getCertificate(params.certificate_id);
  if (!cert) throw notFound("No mTLS certificate with that id");
  return success(toApiCertificate(cert));
});

/** Only `name` and `associated_hostnames` can change (as Cloudflare); the content never does. */
export const updateCertificateRoute = apiRoute<CertParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await readJsonBody(request);
  const result = await updateCertificate(actor, params.certificate_id, { name: body.name, associated_hostnames: body.associated_hostnames });
  return success(toApiCertificate(unwrap(result)), { messages: messages(result.ok ? result.warnings : undefined) });
});

export const deleteCertificateRoute = apiRoute<CertParams>({ write: true }, async ({ actor, params }) => {
  const result = await deleteCertificate(actor, params.certificate_id);
  return success(unwrap(result), { messages: messages(result.ok ? result.warnings : undefined) });
});

export const getHostnameSettingsRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url, MAX_PER_PAGE);
  const page = paginateArray(await getHostnameSettings(), params);
  return list(page.items, buildResultInfo(params, page.items.length, page.total));
});

export const updateHostnameSettingsRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const body = await readJsonBody(request);
  const updated = unwrap(await updateHostnameSettings(actor, body));
  return success(updated, {
    status: 202,
    resultInfo: buildResultInfo({ page: 1, perPage: Math.max(updated.length, 1) }, updated.length, updated.length),
  });
});
