"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { blockCertificate, unblockCertificate, type BlockedCertificateDto } from "@/lib/domain/blocked-certificates";

const BLOCKED_PATH = "/access-controls/service-credentials/mutual-tls/blocked";

const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" && v !== "" ? v : undefined;
};

/**
 * Block this certificate: from an access-log row (`access_log_id`), a Test mTLS result or a CA's list (`certificate`
 * PEM or `sha256`), or by hand (`sha256`, or `issuer` + `serial_number`), with a reason.
 */
export async function blockCertificateAction(_prev: ActionState<BlockedCertificateDto> | null, form: FormData): Promise<ActionState<BlockedCertificateDto>> {
  const values = formValues(form, ["certificate"]);
  const input = Object.fromEntries(
    ["reason", "match", "sha256", "issuer", "serial_number", "certificate", "access_log_id", "source"].flatMap((k) => {
      const v = text(form, k);
      return v === undefined ? [] : [[k, v]];
    }),
  );
  const state = await runAction({ write: true, values }, (actor) => blockCertificate(actor, { reason: "", ...input }));
  if (state.ok && state.data) {
    state.message = `Blocked ${state.data.subject ?? "the certificate"}: the gateway refuses it within a second, on every application.`;
    revalidatePath(BLOCKED_PATH);
  }
  return state;
}

export async function unblockCertificateAction(_prev: ActionState<BlockedCertificateDto> | null, form: FormData): Promise<ActionState<BlockedCertificateDto>> {
  const state = await runAction({ write: true }, (actor) => unblockCertificate(actor, text(form, "id") ?? ""));
  if (state.ok && state.data) {
    state.message = `Unblocked ${state.data.subject ?? "the certificate"}: its policies decide again within a second.`;
    revalidatePath(BLOCKED_PATH);
  }
  return state;
}
