"use server";

import { headers } from "next/headers";
import { clientIp } from "@/lib/auth/request-ip";
import { describeWait, firstAdminLimiter, sourceKey } from "@/lib/auth/rate-limit";
import { createFirstAdmin } from "@/lib/domain/users";
import { formValues, type ActionState } from "@/lib/actions/action-state";

/**
 * Public action, allowed only while the instance has no user at all (checked before any hashing, and again
 * under a table lock). Throttled per source: every call counts, so a flood cannot buy unbounded argon2 work.
 */
export async function createFirstAdminAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form, ["password"]);
  try {
    const ip = clientIp(await headers());
    const wait = await firstAdminLimiter().attempt(sourceKey(ip));
    if (wait > 0) return { ok: false, message: `Too many attempts from your network. Try again in ${describeWait(wait)}.`, values };
    const result = await createFirstAdmin({ email: form.get("email"), name: form.get("name") ?? "", password: form.get("password") }, ip);
    if (!result.ok) return { ok: false, message: result.error.message, fieldErrors: result.error.fieldErrors, values };
    return { ok: true, message: "Admin created. Signing you in…" };
  } catch (err) {
    console.error("[first-admin] unexpected error:", err);
    return { ok: false, message: "Something went wrong on the server. Try again.", values };
  }
}
