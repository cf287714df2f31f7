"use server";

import { revalidatePath } from "next/cache";
import { formValues, runAction, type ActionState } from "@/lib/actions/action-state";
import { saveNotificationSettings, sendTestNotification } from "@/lib/domain/alerts/notifications";

export async function saveNotificationsAction(_prev: ActionState | null, form: FormData): Promise<ActionState> {
  const values = formValues(form);
  const input = { webhookUrl: form.get("webhookUrl") ?? "" };
  if (form.get("intent") === "test") {
    const state = await runAction({ write: true, values }, (actor) => sendTestNotification(actor, input));
    if (!state.ok || !state.data) return { ...state, values };
    const r = state.data;
    return r.ok
      ? { ok: true, message: `Test notification delivered: the receiver answered HTTP ${r.status}.`, values }
      : { ok: false, message: `Test notification failed: ${r.error ?? "no response"}.`, values };
  }
  const state = await runAction({ write: true, values }, (actor) => saveNotificationSettings(actor, input));
  if (!state.ok) return state;
  revalidatePath("/settings");
  revalidatePath("/alerts");
  const url = (state.data as { webhookUrl: string | null } | undefined)?.webhookUrl;
  return {
    ok: true,
    message: url ? "Notification settings saved. New alerts will be sent to the webhook." : "Notification settings saved. Webhook notifications are off.",
    values,
  };
}
