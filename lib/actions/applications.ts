"use server";

import { revalidatePath } from "next/cache";
import { runAction, type ActionState } from "@/lib/actions/action-state";
import {
  createApplication,
  deleteApplication,
  setApplicationPolicies,
  updateApplication,
  type ApplicationDto,
} from "@/lib/domain/applications";
import type { DomainErrorKind, Result } from "@/lib/domain/core/result";

export type AppActionState<T = ApplicationDto> = ActionState<T> & { kind?: DomainErrorKind };

async function run<T>(success: string, fn: Parameters<typeof runAction<T>>[1]): Promise<AppActionState<T>> {
  let kind: DomainErrorKind | undefined;
  const state = await runAction<T>({ write: true, success }, async (actor) => {
    const r: Result<T> = await fn(actor);
    if (!r.ok) kind = r.error.kind;
    return r;
  });
  if (state.ok) {
    revalidatePath("/access-controls/applications", "layout");
    revalidatePath("/access-controls/policies");
  }
  return { ...state, kind };
}

/** Creates (no `id`) or updates an application's settings (its attached policies are kept). */
export async function saveApplicationAction(
  _prev: AppActionState | null,
  payload: { id?: string; app: Record<string, unknown> },
): Promise<AppActionState> {
  return run(payload.id ? "Application saved." : "Application added.", (actor) =>
    payload.id ? updateApplication(actor, payload.id, payload.app) : createApplication(actor, payload.app),
  );
}

export async function setPoliciesAction(
  _prev: AppActionState | null,
  payload: { id: string; policyIds: string[]; version: number },
): Promise<AppActionState> {
  return run("Application saved.", (actor) => setApplicationPolicies(actor, payload.id, payload.policyIds, payload.version));
}

export async function deleteApplicationAction(_prev: AppActionState<{ id: string }> | null, id: string): Promise<AppActionState<{ id: string }>> {
  return run("Application deleted.", (actor) => deleteApplication(actor, id));
}
