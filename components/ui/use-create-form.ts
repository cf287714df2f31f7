"use client";

import { useActionState, useState } from "react";
import type { ActionState } from "@/lib/actions/action-state";

/**
 * The wiring of a "Create …" button that opens a form: whether the form is open, the action's state (the form
 * closes when the action succeeds, so what it created can be shown once in its place), and the field errors and
 * typed values of a refusal, to show next to the fields without losing what was typed.
 */
export function useCreateForm<T>(run: (prev: ActionState<T> | null, form: FormData) => Promise<ActionState<T>>) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(async (prev: ActionState<T> | null, form: FormData) => {
    const next = await run(prev, form);
    if (next.ok) setOpen(false);
    return next;
  }, null);
  const fieldErrors: Record<string, string[]> = state?.ok ? {} : (state?.fieldErrors ?? {});
  const values: Record<string, string> = state?.ok ? {} : (state?.values ?? {});
  return { open, setOpen, state, action, fieldErrors, values, created: state?.ok ? state.data : undefined };
}
