import { createPolicy, deletePolicy, embeddedPolicyMessages, getPolicy, listPolicies, policyRuleMessages, updatePolicy, type PolicyDto } from "../../domain/policies";
import type { Result } from "../../domain/core/result";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, unwrap } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";

type AccountParams = { account_id: string };
type PolicyParams = AccountParams & { policy_id: string };

// Warnings, never refusals: rules the gateway cannot enforce yet are saved (Cloudflare clients send them) and
// reported in the envelope's `messages` with the code the other resources use for warnings.
const WARNING = 10100;
const messages = (list: readonly string[] | undefined) => (list ?? []).map((message) => ({ code: WARNING, message }));
const saved = (result: Result<PolicyDto>) => messages(result.ok ? result.warnings : undefined);

export const listPoliciesRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const { items, total } = await listPolicies({ page: params.page, perPage: params.perPage });
  return success(items, { resultInfo: buildResultInfo(params, items.length, total), messages: messages(embeddedPolicyMessages(items)) });
});

export const createPolicyRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const body = await readJsonBody(request);
  const result = await createPolicy(actor, body);
  return success(unwrap(result), { status: 201, messages: saved(result) });
});

export const getPolicyRoute = apiRoute<PolicyParams>({}, async ({ params }) => {
  const policy = await getPolicy(params.policy_id);
  if (!policy) throw notFound("No policy with that id");
  return success(policy, { messages: messages(policyRuleMessages(policy)) });
});

export const updatePolicyRoute = apiRoute<PolicyParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await readJsonBody(request);
  const result = await updatePolicy(actor, params.policy_id, body);
  return success(unwrap(result), { messages: saved(result) });
});

export const deletePolicyRoute = apiRoute<PolicyParams>({ write: true }, async ({ actor, params }) => {
  return success(unwrap(await deletePolicy(actor, params.policy_id)), { status: 202 });
});
