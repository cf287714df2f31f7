"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import { createPolicy, deletePolicy, updatePolicy, type PolicyDto } from "@/lib/domain/policies";
import type { DomainErrorKind } from "@/lib/domain/core/result";

export type PolicyActionState<T = PolicyDto> = ActionState<T> & { kind?: DomainErrorKind };

/** Creates (no `id`) or fully replaces (with `id` and the loaded `version`) a policy. */
export async function savePolicyAction(
  _prev: PolicyActionState | null,
  payload: { id?: string; policy: Record<string, unknown> },
): Promise<PolicyActionState> {
  let kind: DomainErrorKind | undefined;
  const state = await runAction({ write: true, success: "Policy saved." }, async (actor) => {
    const r = payload.id ? await updatePolicy(actor, payload.id, payload.policy) : await createPolicy(actor, payload.policy);
    if (!r.ok) kind = r.error.kind;
    return r;
  });
  if (state.ok) {
    revalidatePath("/access-controls/policies");
    revalidatePath("/access-controls/applications", "layout");
  }
  return { ...state, kind };
}

export async function deletePolicyAction(_prev: PolicyActionState<{ id: string }> | null, id: string): Promise<PolicyActionState<{ id: string }>> {
  let kind: DomainErrorKind | undefined;
  const state = await runAction({ write: true, success: "Policy deleted." }, async (actor) => {
    const r = await deletePolicy(actor, id);
    if (!r.ok) kind = r.error.kind;
    return r;
  });
  if (state.ok) revalidatePath("/access-controls/policies");
  return { ...state, kind };
}
