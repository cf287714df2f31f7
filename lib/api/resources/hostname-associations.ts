/**
 * `/zones/{zone_id}/certificate_authorities/hostname_associations` (the official SDK's
 * `client.certificateAuthorities.hostnameAssociations.*`): the hostnames a CA is associated with. Without
 * `mtls_certificate_id` it is the managed CA that issues new certificates (created on first use by a PUT; a GET
 * before then lists none); with it, any mTLS certificate (an uploaded CA or a managed one). The change goes through
 * the same domain function as the Mutual TLS page, so it is validated, audited and reaches the gateway alike.
 */
import { z } from "zod";
import { getDb } from "../../db/client";
import { getCertificate, isUuid, updateCertificate } from "../../domain/certificates";
import { ensureManagedCa, listManagedCas } from "../../domain/managed-ca";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { invalidRequest } from "../errors";
import { apiRoute } from "../handler";
import { parsePageParams } from "../pagination";
import { messages } from "./certificates";
import { bodyError, unwrapAs, type ZoneParams } from "./zone";

const putBody = z.object({
  hostnames: z.array(z.string({ error: "Each hostname must be a string" }), { error: "hostnames is required: the complete list of hostnames ([] removes every association)" }),
  mtls_certificate_id: z.string({ error: "mtls_certificate_id must be a string" }).optional(),
});

/** An id given by the caller must name an mTLS certificate: an unknown one is bad input (400), not a missing page. */
async function certificateOf(id: string, pointer: string) {
  const cert = isUuid(id) ? await getCertificate(id) : null;
  if (!cert) throw invalidRequest(`mtls_certificate_id "${id.slice(0, 80)}" is not an mTLS certificate of this installation`, pointer);
  return cert;
}

export const getHostnameAssociationsRoute = apiRoute<ZoneParams>({}, async ({ url }) => {
  parsePageParams(url); // refuses control characters and absurd values in any query parameter
  const id = url.searchParams.get("mtls_certificate_id");
  if (id) return success({ hostnames: (await certificateOf(id, "/mtls_certificate_id")).associated_hostnames });
  const current = (await listManagedCas(await getDb())).find((ca) => ca.current);
  return success({ hostnames: current?.associatedHostnames ?? [] });
});

export const putHostnameAssociationsRoute = apiRoute<ZoneParams>({ write: true }, async ({ request, actor }) => {
  const parsed = putBody.safeParse(await readJsonBody(request));
  if (!parsed.success) throw bodyError(parsed.error.issues);
  const { hostnames, mtls_certificate_id } = parsed.data;
  const id = mtls_certificate_id ? (await certificateOf(mtls_certificate_id, "/mtls_certificate_id")).id : (await ensureManagedCa(await getDb())).id;
  const result = await updateCertificate(actor, id, { associated_hostnames: hostnames });
  const updated = unwrapAs(result, { associated_hostnames: "hostnames" });
  return success({ hostnames: updated.associated_hostnames }, { messages: messages(result.ok ? result.warnings : undefined) });
});
