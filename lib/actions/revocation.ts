"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import { setCrlUrl, type CrlSource } from "@/lib/domain/crls/refresh";
import { updateRevocationSettings, type RevocationSettingDto } from "@/lib/domain/hostnames/revocation";

const PATH = "/access-controls/service-credentials/mutual-tls";

/** Set (or clear) the certificate's CRL URL and download it at once (`id`, `version`, `crl_url`). */
export async function saveCrlUrlAction(_prev: ActionState<CrlSource> | null, form: FormData): Promise<ActionState<CrlSource>> {
  const id = String(form.get("id") ?? "");
  const url = String(form.get("crl_url") ?? "").trim();
  const state = await runAction({ write: true, success: url ? "CRL URL saved." : "CRL URL removed." }, (actor) =>
    setCrlUrl(actor, id, { crl_url: url, version: String(form.get("version") ?? "") || undefined }),
  );
  if (state.ok) {
    revalidatePath(`${PATH}/${id}`);
    revalidatePath(PATH);
  }
  return state;
}

/** One hostname's "When a CRL is out of date" and "Check OCSP" (saved on change). */
export async function saveRevocationSettingAction(setting: RevocationSettingDto): Promise<ActionState<RevocationSettingDto>> {
  const state = await runAction({ write: true, success: `Saved revocation checks for ${setting.hostname}.` }, (actor) => updateRevocationSettings(actor, setting));
  if (state.ok) revalidatePath(PATH, "layout");
  return state;
}
