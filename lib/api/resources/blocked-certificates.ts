/**
 * `/accounts/{account_id}/access/blocked_certificates` (Portcullis's own, in the v4 envelope): list, block (201),
 * get and unblock (DELETE) client certificates — the instant lock of lib/domain/blocked-certificates, effective at
 * the gateway within a second. Blocking and unblocking need an Edit token of an admin.
 */
import { blockCertificate, getBlockedCertificate, listBlockedCertificates, unblockCertificate } from "../../domain/blocked-certificates";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";

type AccountParams = { account_id: string };
type BlockParams = AccountParams & { blocked_certificate_id: string };

export const listBlockedCertificatesRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const all = await listBlockedCertificates();
  const items = all.slice((params.page - 1) * params.perPage, params.page * params.perPage);
  return list(items, buildResultInfo(params, items.length, all.length));
});

export const blockCertificateRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  // `source` defaults to "api" for a token (lib/domain/blocked-certificates).
  return success(unwrap(await blockCertificate(actor, await readJsonBody(request))), { status: 201 });
});

export const getBlockedCertificateRoute = apiRoute<BlockParams>({}, async ({ params }) => {
  const b = await getBlockedCertificate(params.blocked_certificate_id);
  if (!b) throw notFound("No blocked certificate with that id");
  return success(b);
});

export const unblockCertificateRoute = apiRoute<BlockParams>({ write: true }, async ({ actor, params }) => {
  return success(unwrap(await unblockCertificate(actor, params.blocked_certificate_id)));
});
