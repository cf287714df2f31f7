"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { changeRole, createUser, resetPassword } from "@/lib/domain/users";

export async function addUserAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form, ["password"]);
  const state = await runAction({ write: true, values, success: `User ${values.email ?? ""} added.` }, (actor) =>
    createUser(actor, { email: form.get("email"), name: form.get("name") ?? "", password: form.get("password"), role: form.get("role") }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

export async function changeRoleAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const state = await runAction({ write: true, success: "Role changed." }, (actor) =>
    changeRole(actor, { id: form.get("id"), role: form.get("role") }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

export async function resetPasswordAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  return runAction({ write: true, success: "Password reset. Share it with the user over a safe channel." }, (actor) =>
    resetPassword(actor, { id: form.get("id"), password: form.get("password") }),
  );
}
