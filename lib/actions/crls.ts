"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import type { CertificateDto } from "@/lib/domain/certificates";
import { removeCertificateCrl, setCertificateCrl } from "@/lib/domain/crls";

const PATH = "/access-controls/service-credentials/mutual-tls";

const str = (form: FormData, k: string) => {
  const v = form.get(k);
  return typeof v === "string" ? v : "";
};

/** Upload or replace the certificate's CRL (`id`, `version`, `crl`: PEM, or base64 DER from a file). */
export async function saveCrlAction(_prev: ActionState<CertificateDto> | null, form: FormData): Promise<ActionState<CertificateDto>> {
  const id = str(form, "id");
  const state = await runAction({ write: true, success: "CRL saved." }, (actor) =>
    setCertificateCrl(actor, id, { crl: str(form, "crl"), version: str(form, "version") || undefined }),
  );
  if (state.ok) {
    revalidatePath(`${PATH}/${id}`);
    revalidatePath(PATH);
  }
  return state;
}

export async function removeCrlAction(_prev: ActionState<CertificateDto> | null, form: FormData): Promise<ActionState<CertificateDto>> {
  const id = str(form, "id");
  const state = await runAction({ write: true, success: "CRL removed." }, (actor) =>
    removeCertificateCrl(actor, id, { version: str(form, "version") || undefined }),
  );
  if (state.ok) {
    revalidatePath(`${PATH}/${id}`);
    revalidatePath(PATH);
  }
  return state;
}
