"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { getDb } from "@/lib/db/client";
import {
  issueClientCertificate,
  reactivateClientCertificate,
  revokeClientCertificate,
  type ClientCertificateView,
} from "@/lib/domain/client-certificates";
import type { Result } from "@/lib/domain/core/result";

const PATH = "/access-controls/service-credentials/client-certificates";
const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** The domain's field names → the form's (`csrPem` → `csr`, `validityDays` → `validity_days`). */
const FORM_FIELDS: Record<string, string> = { csrPem: "csr", validityDays: "validity_days" };
function formFields<T>(r: Result<T>): Result<T> {
  if (r.ok || !r.error.fieldErrors) return r;
  const fieldErrors = Object.fromEntries(Object.entries(r.error.fieldErrors).map(([k, v]) => [FORM_FIELDS[k] ?? k, v]));
  return { ok: false, error: { ...r.error, fieldErrors } };
}

/** Form fields: `csr` (PEM), `validity_days`, `label`. The certificate comes back in `data` (no private key ever). */
export async function issueClientCertificateAction(_prev: ActionState<ClientCertificateView> | null, form: FormData): Promise<ActionState<ClientCertificateView>> {
  const values = formValues(form);
  const state = await runAction({ write: true, values }, async (actor) =>
    formFields(
      await issueClientCertificate(await getDb(), actor, {
        csrPem: text(form, "csr"),
        validityDays: text(form, "validity_days") || undefined,
        label: text(form, "label"),
      }),
    ),
  );
  if (state.ok && state.data) {
    const who = state.data.label || state.data.commonName || state.data.serialNumber;
    state.message = `Client certificate ${who} created; it expires on ${state.data.expiresOn.slice(0, 10)}.`;
    revalidatePath(PATH);
  }
  return state;
}

/** Form fields: `id`, `reason` (optional, at most 500 characters). */
export async function revokeClientCertificateAction(_prev: ActionState<ClientCertificateView> | null, form: FormData): Promise<ActionState<ClientCertificateView>> {
  const state = await runAction({ write: true, values: formValues(form) }, async (actor) =>
    revokeClientCertificate(await getDb(), actor, text(form, "id"), text(form, "reason")),
  );
  if (state.ok && state.data) {
    state.message = `Client certificate ${state.data.label || state.data.commonName || state.data.serialNumber} revoked.`;
    revalidatePath(PATH);
  }
  return state;
}

/** Form field: `id`. */
export async function reactivateClientCertificateAction(_prev: ActionState<ClientCertificateView> | null, form: FormData): Promise<ActionState<ClientCertificateView>> {
  const state = await runAction({ write: true }, async (actor) => reactivateClientCertificate(await getDb(), actor, text(form, "id")));
  if (state.ok && state.data) {
    state.message = `Client certificate ${state.data.label || state.data.commonName || state.data.serialNumber} reactivated.`;
    revalidatePath(PATH);
  }
  return state;
}
