"use server";

import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { containsPrivateKey, createCertificate, deleteCertificate, updateCertificate, type CertificateDto } from "@/lib/domain/certificates";
import { updateHostnameSettings, type HostnameSettingDto } from "@/lib/domain/hostnames";

const LIST = "/access-controls/service-credentials/mutual-tls";

/** Form echo without anything that could hold a private key. */
function safeValues(form: FormData): Record<string, string> {
  const values = formValues(form, ["associated_hostnames"]);
  for (const k of ["certificate", "crl"]) if (containsPrivateKey(values[k])) delete values[k];
  return values;
}

export async function createCertificateAction(_prev: ActionState<CertificateDto> | null, form: FormData): Promise<ActionState<CertificateDto>> {
  const values = safeValues(form);
  const state = await runAction({ write: true, values, success: `Added mTLS certificate ${values.name ?? ""}.` }, (actor) =>
    createCertificate(actor, {
      name: form.get("name") ?? "",
      certificate: form.get("certificate") ?? "",
      associated_hostnames: form.getAll("associated_hostnames").map(String),
      crl: (form.get("crl") as string | null) || undefined,
    }),
  );
  if (state.ok) revalidatePath(LIST);
  return state;
}

export async function updateCertificateAction(_prev: ActionState<CertificateDto> | null, form: FormData): Promise<ActionState<CertificateDto>> {
  const id = String(form.get("id") ?? "");
  const values = safeValues(form);
  const state = await runAction({ write: true, values, success: "Saved." }, (actor) =>
    updateCertificate(actor, id, {
      name: form.get("name") ?? "",
      associated_hostnames: form.getAll("associated_hostnames").map(String),
      version: form.get("version") ?? undefined,
    }),
  );
  if (state.ok) {
    revalidatePath(LIST);
    revalidatePath(`${LIST}/${id}`);
  }
  return state;
}

export async function deleteCertificateAction(_prev: ActionState<{ id: string }> | null, form: FormData): Promise<ActionState<{ id: string }>> {
  const id = String(form.get("id") ?? "");
  const state = await runAction({ write: true, success: `Deleted mTLS certificate ${String(form.get("name") ?? "")}.` }, (actor) =>
    deleteCertificate(actor, id),
  );
  if (!state.ok) return state;
  revalidatePath(LIST);
  // Navigate from the server: the row (and its dialog) disappears with the refreshed list.
  redirect(`${LIST}?deleted=${encodeURIComponent(String(form.get("name") ?? ""))}`);
}

/** One switch of one hostname (the Configure page saves each toggle at once). */
export async function updateHostnameSettingAction(setting: HostnameSettingDto): Promise<ActionState<HostnameSettingDto[]>> {
  const state = await runAction({ write: true, success: `Saved settings for ${setting.hostname}.` }, (actor) =>
    updateHostnameSettings(actor, [setting]),
  );
  if (state.ok) revalidatePath(LIST, "layout");
  return state;
}
