/**
 * `/accounts/{account_id}/access/service_tokens` in Cloudflare's format (the official SDK's
 * `client.zeroTrust.access.serviceTokens.*`): list (paged, `name`, `search`), create (the Client Secret in this
 * response only), get, update (PUT), delete, `{id}/refresh` and `{id}/rotate` (the new secret in its response only).
 */
import {
  createServiceToken,
  deleteServiceToken,
  getServiceToken,
  listServiceTokens,
  refreshServiceToken,
  rotateServiceToken,
  updateServiceToken,
} from "../../domain/service-tokens";
import { readJsonBody, readOptionalJsonBody as optionalBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";

type AccountParams = { account_id: string };
type TokenParams = AccountParams & { service_token_id: string };

export const listServiceTokensRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const q = url.searchParams;
  const { items, total } = await listServiceTokens({ page: params.page, perPage: params.perPage, name: q.get("name") || undefined, search: q.get("search") || undefined });
  return list(items, buildResultInfo(params, items.length, total));
});

export const createServiceTokenRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  return success(unwrap(await createServiceToken(actor, await readJsonBody(request))), { status: 201 });
});

export const getServiceTokenRoute = apiRoute<TokenParams>({}, async ({ params }) => {
  const token = await getServiceToken(params.service_token_id);
  if (!token) throw notFound("No service token with that id");
  return success(token);
});

export const updateServiceTokenRoute = apiRoute<TokenParams>({ write: true }, async ({ request, actor, params }) => {
  return success(unwrap(await updateServiceToken(actor, params.service_token_id, await readJsonBody(request))));
});

export const deleteServiceTokenRoute = apiRoute<TokenParams>({ write: true }, async ({ actor, params }) => {
  return success(unwrap(await deleteServiceToken(actor, params.service_token_id)));
});

export const refreshServiceTokenRoute = apiRoute<TokenParams>({ write: true }, async ({ request, actor, params }) => {
  await optionalBody(request);
  return success(unwrap(await refreshServiceToken(actor, params.service_token_id)));
});

export const rotateServiceTokenRoute = apiRoute<TokenParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await optionalBody(request);
  // The console's grace_hours is not part of the API: a client sets previous_client_secret_expires_at.
  const { grace_hours: _ignored, ...rest } = body;
  void _ignored;
  return success(unwrap(await rotateServiceToken(actor, params.service_token_id, rest)));
});
