"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { saveRetentionSettings } from "@/lib/domain/retention";
import { runRetention } from "@/lib/server/scheduler";

const FIELDS = ["accessLogDays", "accessLogMaxRows", "auditLogDays", "auditLogMaxRows"] as const;

/** Settings → Log retention → Save retention (admins only; validated and audited by lib/domain/retention). */
export async function saveRetentionAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  const input = Object.fromEntries(FIELDS.map((k) => [k, values[k] ?? ""]));
  const state = await runAction({ write: true, values }, (actor) => saveRetentionSettings(actor, input));
  if (!state.ok) return state;
  revalidatePath("/settings");
  // Apply the new limits now rather than at the next hourly run (in the background; errors are logged there).
  void runRetention();
  return { ok: true, message: "Retention settings saved. Rows beyond the new limits are being deleted now, and every hour from now on.", values };
}
