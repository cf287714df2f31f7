"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { fail } from "@/lib/domain/core/result";
import { changeRole, createUser, deleteUser, resetPassword, signOutEverywhere } from "@/lib/domain/users";

export async function addUserAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form, ["password"]);
  const state = await runAction({ write: true, values, success: `User ${values.email ?? ""} added.` }, (actor) =>
    createUser(actor, { email: form.get("email"), name: form.get("name") ?? "", password: form.get("password") ?? "", role: form.get("role") }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

export async function changeRoleAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const state = await runAction({ write: true, success: "Role changed. The user's open sessions were ended." }, (actor) =>
    changeRole(actor, { id: form.get("id"), role: form.get("role") }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

export async function resetPasswordAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  return runAction({ write: true, success: "Password reset and the user's open sessions ended. Share the new password over a safe channel." }, (actor) =>
    resetPassword(actor, { id: form.get("id"), password: form.get("password") }),
  );
}

export async function deleteUserAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const state = await runAction({ write: true, success: "User deleted. Their sessions and API tokens were ended." }, (actor) =>
    deleteUser(actor, { id: form.get("id") }),
  );
  if (state.ok) revalidatePath("/settings");
  return state;
}

// The form names what it ends, so that a stray or forged post (no or another scope) changes nothing.
const everywhereSchema = z.object({ scope: z.literal("everywhere", { error: "Choose what to sign out of: everywhere." }) });

/** Ends every session of the signed-in user (any role); the browser then signs out as usual. */
export async function signOutEverywhereAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  return runAction({ write: false, success: "Signed out everywhere." }, async (actor) => {
    const parsed = everywhereSchema.safeParse({ scope: form.get("scope") });
    if (!parsed.success) return fail("validation", parsed.error.issues[0].message);
    return signOutEverywhere(actor);
  });
}
