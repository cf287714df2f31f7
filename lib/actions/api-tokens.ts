"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { createApiToken, revokeApiToken, type CreatedApiToken } from "@/lib/domain/api-tokens";

/** Creates a token; the secret travels back once in `data.secret` and is never stored. */
export async function createApiTokenAction(_prev: ActionState<CreatedApiToken> | null, form: FormData): Promise<ActionState<CreatedApiToken>> {
  const values = formValues(form);
  const state = await runAction({ write: true, values, success: `API token ${values.name ?? ""} created. Copy it now: it is shown only once.` }, (actor) =>
    createApiToken(actor, { name: form.get("name") ?? "", permission: form.get("permission"), expires_at: form.get("expires_at") ?? "" }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

export async function revokeApiTokenAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const state = await runAction({ write: true, success: "API token revoked." }, (actor) => revokeApiToken(actor, { id: form.get("id") }));
  if (state.ok) revalidatePath("/settings");
  return state;
}
