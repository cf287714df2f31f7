"use server";

import { headers } from "next/headers";
import { clientIp } from "@/lib/auth/request-ip";
import { createFirstAdmin } from "@/lib/domain/users";
import { formValues, type ActionState } from "@/lib/actions/action-state";

/** Public action, allowed only while the instance has no user at all (checked under a table lock). */
export async function createFirstAdminAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form, ["password"]);
  try {
    const result = await createFirstAdmin(
      { email: form.get("email"), name: form.get("name") ?? "", password: form.get("password") },
      clientIp(await headers()),
    );
    if (!result.ok) return { ok: false, message: result.error.message, fieldErrors: result.error.fieldErrors, values };
    return { ok: true, message: "Admin created. Signing you in…" };
  } catch (err) {
    console.error("[first-admin] unexpected error:", err);
    return { ok: false, message: "Something went wrong on the server. Try again.", values };
  }
}
