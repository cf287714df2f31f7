/**
 * Revocation over the REST API (Portcullis's own, in the v4 envelope), what the console's Revocation panel edits:
 * - `/accounts/{account_id}/access/certificates/{certificate_id}/crl`: the certificate's stored CRL (summary, never
 *   the PEM) and its CRL URL; PUT uploads a CRL (`crl`) or sets the URL Portcullis downloads it from (`crl_url`,
 *   "" removes it); DELETE removes the stored CRL.
 * - `/accounts/{account_id}/access/certificates/revocation_settings`: per associated hostname, **When a CRL is out of
 *   date** (`crl_stale_mode`: block or allow) and **Check OCSP** (`ocsp`).
 * Writes need an Edit token of an admin; the domain functions validate, audit and notify the gateway.
 */
import { z } from "zod";
import { getCertificate } from "../../domain/certificates";
import { removeCertificateCrl, setCertificateCrl } from "../../domain/crls";
import { getCrlSource, setCrlUrl, type CrlSource } from "../../domain/crls/refresh";
import { associatedHostnames } from "../../domain/hostnames";
import { getRevocationSettings, parseRevocationSetting, updateRevocationSettings, type RevocationSettingDto } from "../../domain/hostnames/revocation";
import { fail, zodFieldErrors, type Result } from "../../domain/core/result";
import { readJsonBody } from "../body";
import { success } from "../envelope";
import { notFound } from "../errors";
import { apiRoute, list, unwrap } from "../handler";
import { buildResultInfo, paginateArray, parsePageParams, MAX_PER_PAGE } from "../pagination";
import { messages } from "./certificates";

type AccountParams = { account_id: string };
type CertParams = AccountParams & { certificate_id: string };

/** The certificate's revocation state as the API shows it: the CRL's summary (not its serial list) and its source. */
async function crlView(id: string) {
  const [cert, source] = await Promise.all([getCertificate(id), getCrlSource(id)]);
  if (!cert || !source) throw notFound("No mTLS certificate with that id");
  const crl = cert.crl;
  return {
    certificate_id: cert.id,
    version: cert.version,
    crl: crl
      ? { issuer: crl.issuer, this_update: crl.thisUpdate, next_update: crl.nextUpdate, revoked_count: crl.revoked_count, stale: crl.nextUpdate !== null && Date.parse(crl.nextUpdate) < Date.now() }
      : null,
    crl_url: source.url,
    suggested_crl_url: source.suggested,
    refresh: refreshView(source),
  };
}

const refreshView = (s: CrlSource) =>
  s.refresh ? { last_attempt_at: s.refresh.lastAttemptAt, last_success_at: s.refresh.lastSuccessAt, last_error: s.refresh.lastError, next_at: s.refresh.nextAt } : null;

const putSchema = z
  .object({ crl: z.unknown().optional(), crl_url: z.unknown().optional(), version: z.unknown().optional() })
  .strict()
  .refine((b) => (b.crl === undefined) !== (b.crl_url === undefined), { message: "Send exactly one of crl (the CRL itself, PEM or base64 DER) or crl_url (an http(s) URL, or \"\" to remove it)", path: ["crl"] });

export const getCrlRoute = apiRoute<CertParams>({}, async ({ params }) => success(await crlView(params.certificate_id)));

export const putCrlRoute = apiRoute<CertParams>({ write: true }, async ({ request, actor, params }) => {
  const body = await readJsonBody(request);
  const parsed = putSchema.safeParse(body);
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    unwrap(fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the request body.", fieldErrors));
  }
  const r: Result<unknown> = body.crl !== undefined ? await setCertificateCrl(actor, params.certificate_id, body) : await setCrlUrl(actor, params.certificate_id, body);
  unwrap(r);
  return success(await crlView(params.certificate_id), { messages: messages(r.ok ? r.warnings : undefined) });
});

export const deleteCrlRoute = apiRoute<CertParams>({ write: true }, async ({ actor, params }) => {
  unwrap(await removeCertificateCrl(actor, params.certificate_id));
  return success(await crlView(params.certificate_id));
});

export const listRevocationSettingsRoute = apiRoute<AccountParams>({}, async ({ url }) => {
  const params = parsePageParams(url, MAX_PER_PAGE);
  const page = paginateArray(await getRevocationSettings(Object.keys(await associatedHostnames()).sort()), params);
  return list(page.items, buildResultInfo(params, page.items.length, page.total));
});

const settingsSchema = z
  .object({ settings: z.array(z.unknown(), { error: "settings must be an array of {hostname, crl_stale_mode, ocsp}" }).min(1, "settings must name at least one hostname").max(MAX_PER_PAGE, `At most ${MAX_PER_PAGE} hostnames per request`) })
  .strict();

/**
 * Sets each listed hostname's revocation settings, in order; every entry is checked first (each must be an associated
 * hostname with both fields), so a bad entry changes nothing.
 */
export const updateRevocationSettingsRoute = apiRoute<AccountParams>({ write: true }, async ({ request, actor }) => {
  const parsed = settingsSchema.safeParse(await readJsonBody(request));
  if (!parsed.success) {
    const fieldErrors = zodFieldErrors(parsed.error.issues);
    unwrap(fail("validation", Object.values(fieldErrors)[0]?.[0] ?? "Check the settings.", fieldErrors));
  }
  const entries = parsed.data!.settings;
  const associated = await associatedHostnames();
  entries.forEach((e, i) => {
    const v = parseRevocationSetting(e);
    // Each message names its entry, as the envelope lists one error per field.
    const at = (field: string, messages: string[]) => ({ [`settings.${i}.${field}`]: messages.map((m) => `settings[${i}]: ${m}`) });
    if (!v.ok) {
      const fields = Object.entries(v.error.fieldErrors ?? { form: [v.error.message] }).reduce((acc, [k, m]) => ({ ...acc, ...at(k, m) }), {});
      unwrap(fail(v.error.kind, `settings[${i}]: ${v.error.message}`, fields));
    } else if (!(v.value.hostname in associated)) {
      unwrap(fail("validation", `settings[${i}]: ${v.value.hostname} is not an associated hostname`, at("hostname", [`${v.value.hostname} is not an associated hostname of any mTLS certificate`])));
    }
  });
  const out: RevocationSettingDto[] = [];
  for (const e of entries) out.push(unwrap(await updateRevocationSettings(actor, e)));
  return success(out, { status: 202, resultInfo: buildResultInfo({ page: 1, perPage: Math.max(out.length, 1) }, out.length, out.length) });
});
