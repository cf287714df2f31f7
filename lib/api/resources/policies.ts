import { createPolicy, deletePolicy, getPolicy, listPolicies, updatePolicy } from "../../domain/policies";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";

type AccountParams = { account_id: string };
type PolicyParams = AccountParams & { policy_id: string };

export const listPoliciesRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const { items, total } = await listPolicies({ page: params.page, perPage: params.perPage });
  return list(items, buildResultInfo(params, items.length, total));
});

export const createPolicyRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const body = await readJsonBody(request);
  return success(unwrap(await createPolicy(actor, body)), { status: 201 });
});

export const getPolicyRoute = apiRoute<PolicyParams>({}, async ({ params }) => {
  const policy = await getPolicy(params.policy_id);
  if (!policy) throw notFound("No policy with that id");
  return success(policy);
});

export const updatePolicyRoute = apiRoute<PolicyParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await readJsonBody(request);
  return success(unwrap(await updatePolicy(actor, params.policy_id, body)));
});

export const deletePolicyRoute = apiRoute<PolicyParams>({ write: true }, async ({ actor, params }) => {
  return success(unwrap(await deletePolicy(actor, params.policy_id)), { status: 202 });
});
