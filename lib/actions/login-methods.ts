"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { createLoginMethod, deleteLoginMethod, testLoginMethod, updateLoginMethod, type LoginMethodDto, type LoginMethodTest } from "@/lib/domain/login-methods";

export type LoginMethodFormState = ActionState<LoginMethodDto | LoginMethodTest> & { intent?: "save" | "test" };

const field = (form: FormData, name: string) => {
  const v = form.get(name);
  return typeof v === "string" ? v : undefined;
};

/**
 * The login method form: **Test** runs discovery for the typed issuer (nothing stored), **Save** creates or (with
 * `id`) updates. The client secret never travels back: it is left out of the echoed values.
 */
export async function saveLoginMethodAction(_prev: LoginMethodFormState | null, form: FormData): Promise<LoginMethodFormState> {
  const values = formValues(form, ["client_secret"]);
  if (form.get("intent") === "test") {
    const state = await runAction({ write: true, values }, (actor) => testLoginMethod(actor, { issuer_url: field(form, "issuer_url") ?? "", client_id: field(form, "client_id") }));
    if (!state.ok || !state.data) return { ...state, values, intent: "test" };
    const t = state.data as LoginMethodTest;
    return t.ok
      ? { ok: true, intent: "test", data: t, values, message: `The provider answered: issuer ${t.provider.issuer}.` }
      : { ok: false, intent: "test", data: t, values, message: t.message };
  }
  const id = field(form, "id");
  const input = {
    name: field(form, "name") ?? "",
    issuer_url: field(form, "issuer_url") ?? "",
    client_id: field(form, "client_id") ?? "",
    client_secret: field(form, "client_secret") || undefined,
    scopes: field(form, "scopes"),
    email_claim: field(form, "email_claim"),
    version: field(form, "version") || undefined,
  };
  const state = await runAction({ write: true, values }, (actor) => (id ? updateLoginMethod(actor, id, input) : createLoginMethod(actor, input)));
  if (!state.ok) return { ...state, intent: "save" };
  revalidatePath("/settings");
  const saved = state.data as LoginMethodDto;
  return { ok: true, intent: "save", data: saved, message: id ? `Login method ${saved.name} saved.` : `Login method ${saved.name} added.` };
}

export async function deleteLoginMethodAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const state = await runAction({ write: true }, (actor) => deleteLoginMethod(actor, String(form.get("id") ?? "")));
  if (!state.ok) return state;
  revalidatePath("/settings");
  revalidatePath("/access-controls/applications");
  return { ok: true, message: `Deleted login method ${(state.data as { name: string }).name}.` };
}
