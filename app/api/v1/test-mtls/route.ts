/**
 * POST /api/v1/test-mtls — the client-certificate tester over HTTP (used by `portcullis test`).
 * Token-authenticated (`Authorization: Bearer <API token>`, Read permission is enough: nothing changes).
 * Body `{url | hostname | application_id, certificate (PEM, may include intermediates), at?, ip?, sni?,
 * service_token_id?, email?}`: `url`
 * (e.g. `https://app.example.com/admin`) gives the hostname and the path that selects the application, the
 * most specific path first, as the gateway does; a bare `hostname` tests its whole-host application.
 * → Cloudflare-style envelope whose `result` is the same trace the Test mTLS page shows (with `url`,
 * `application.path`, `applications_considered` and `access_decision`). The certificate is never stored.
 */
import { readJsonBody } from "@/lib/api/body";
import { success } from "@/lib/api/envelope";
import { apiRoute, routeMethods, unwrap } from "@/lib/api/handler";
import { testClientCertificate } from "@/lib/domain/test-mtls";

export const dynamic = "force-dynamic";

const post = apiRoute({}, async ({ request }) => {
  const body = await readJsonBody(request);
  return success(unwrap(await testClientCertificate(body)));
});

export const { GET, POST, PUT, PATCH, DELETE } = routeMethods({ POST: post });
