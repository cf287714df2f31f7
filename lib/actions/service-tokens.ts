"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import {
  createServiceToken,
  deleteServiceToken,
  refreshServiceToken,
  rotateServiceToken,
  type ServiceTokenDto,
  type ServiceTokenWithSecret,
} from "@/lib/domain/service-tokens";

const PATH = "/access-controls/service-credentials/service-tokens";
const text = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : "";
};

/** Generates a token; the Client Secret travels back once in `data.client_secret` and is never stored. */
export async function createServiceTokenAction(_prev: ActionState<ServiceTokenWithSecret> | null, form: FormData): Promise<ActionState<ServiceTokenWithSecret>> {
  const values = formValues(form);
  const state = await runAction({ write: true, values, success: `Service token ${values.name?.trim() ?? ""} created. Copy the Client Secret now: it is shown only once.` }, (actor) =>
    createServiceToken(actor, { name: text(form, "name"), duration: text(form, "duration") || undefined }),
  );
  if (state.ok) revalidatePath(PATH);
  return state;
}

export async function refreshServiceTokenAction(_prev: ActionState<ServiceTokenDto> | null, form: FormData): Promise<ActionState<ServiceTokenDto>> {
  const state = await runAction({ write: true }, (actor) => refreshServiceToken(actor, text(form, "id")));
  if (state.ok && state.data) {
    const until = state.data.expires_at ? `until ${state.data.expires_at.replace("T", " ").slice(0, 16)} UTC` : "with no expiry";
    state.message = `Service token ${state.data.name} refreshed: valid ${until}.`;
    revalidatePath(PATH);
  }
  return state;
}

/** A new Client Secret, shown once; `grace_hours` 0 revokes the current one at once. */
export async function rotateServiceTokenAction(_prev: ActionState<ServiceTokenWithSecret> | null, form: FormData): Promise<ActionState<ServiceTokenWithSecret>> {
  const state = await runAction({ write: true, values: formValues(form) }, (actor) => rotateServiceToken(actor, text(form, "id"), { grace_hours: text(form, "grace_hours") || "0" }));
  if (state.ok && state.data) {
    const prev = state.data.previous_client_secret_expires_at;
    state.message = prev
      ? `New Client Secret for ${state.data.name}. The previous one keeps working until ${prev.replace("T", " ").slice(0, 16)} UTC. Copy the new one now: it is shown only once.`
      : `New Client Secret for ${state.data.name}; the previous one no longer works. Copy the new one now: it is shown only once.`;
    revalidatePath(PATH);
  }
  return state;
}

export async function deleteServiceTokenAction(_prev: ActionState<ServiceTokenDto> | null, form: FormData): Promise<ActionState<ServiceTokenDto>> {
  const state = await runAction({ write: true }, (actor) => deleteServiceToken(actor, text(form, "id")));
  if (state.ok && state.data) {
    state.message = `Service token ${state.data.name} deleted.`;
    revalidatePath(PATH);
  }
  return state;
}
