"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import { updateStrictSetting, type StrictSettingDto } from "@/lib/domain/hostnames/strict";

/** The Strict checkbox of one hostname on the Configure page (saved at once; the role is checked by the domain). */
export async function updateStrictSettingAction(setting: StrictSettingDto): Promise<ActionState<StrictSettingDto>> {
  const state = await runAction({ write: true, success: `Saved Strict validation for ${setting.hostname}: ${setting.strict ? "on" : "off"}.` }, (actor) =>
    updateStrictSetting(actor, setting),
  );
  if (state.ok) revalidatePath("/access-controls/service-credentials/mutual-tls", "layout");
  return state;
}
