import { createApplication, deleteApplication, getApplication, listApplications, updateApplication } from "../../domain/applications";
import { embeddedPolicyMessages } from "../../domain/policies";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, parsePageParams } from "../pagination";

type AccountParams = { account_id: string };
type AppParams = AccountParams & { app_id: string };

const messages = (warnings?: string[]) => (warnings ?? []).map((message) => ({ code: 10100, message }));
/** The application's own warnings, then its policies' rules that the gateway cannot enforce yet. */
const withPolicies = (app: { policies: Parameters<typeof embeddedPolicyMessages>[0] }, warnings?: string[]) =>
  messages([...(warnings ?? []), ...embeddedPolicyMessages(app.policies)]);

export const listApplicationsRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url);
  const q = url.searchParams;
  const { items, total } = await listApplications({
    page: params.page,
    perPage: params.perPage,
    name: q.get("name") ?? undefined,
    domain: q.get("domain") ?? undefined,
    aud: q.get("aud") ?? undefined,
  });
  return list(items, buildResultInfo(params, items.length, total));
});

export const createApplicationRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const body = await readJsonBody(request);
  const result = await createApplication(actor, body);
  const app = unwrap(result);
  return success(app, { status: 201, messages: withPolicies(app, result.ok ? result.warnings : undefined) });
});

export const getApplicationRoute = apiRoute<AppParams>({}, async ({ params }) => {
  const app = await getApplication(params.app_id);
  if (!app) throw notFound("No application with that id");
  return success(app, { messages: withPolicies(app) });
});

export const updateApplicationRoute = apiRoute<AppParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await readJsonBody(request);
  const existing = await getApplication(params.app_id);
  if (!existing) throw notFound("No application with that id");
  const result = await updateApplication(actor, existing.id, body);
  const app = unwrap(result);
  return success(app, { messages: withPolicies(app, result.ok ? result.warnings : undefined) });
});

export const deleteApplicationRoute = apiRoute<AppParams>({ write: true }, async ({ actor, params }) => {
  const existing = await getApplication(params.app_id);
  if (!existing) throw notFound("No application with that id");
  return success(unwrap(await deleteApplication(actor, existing.id)), { status: 202 });
});
