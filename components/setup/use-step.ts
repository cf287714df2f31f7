"use client";

import { useActionState, useCallback, useRef, useState } from "react";
import type { StepFooter } from "./step-frame";
import type { SetupIds, SetupStep } from "./steps";

type Nav = (step: SetupStep, patch?: SetupIds) => void;
type Next = Parameters<typeof StepFooter>[0]["next"];
type Source = "new" | "existing";

/**
 * The wiring the guided setup's steps share. A step's server action runs through `useStepAction`, which moves the
 * walk-through on when the action succeeds; the steps that create an object or pick an existing one (certificate,
 * policy, application) keep their choice in `useStepChoice`.
 */

/**
 * useActionState for a step: the action's state as usual (errors stay on the step), and `onDone(state, payload)`
 * once it succeeded (the step records what was saved and moves on).
 */
export function useStepAction<S extends { ok: boolean }, P>(action: (prev: S | null, payload: P) => Promise<S>, onDone: (state: S, payload: P) => void) {
  return useActionState<S | null, P>(async (prev, payload) => {
    const state = await action(prev, payload);
    if (state.ok) onDone(state, payload);
    return state;
  }, null);
}

/**
 * Which source is chosen (a new object or an existing one), the picked id, whether the step shows its chosen
 * object or is choosing again, and what Continue (Finish on the last step) does. `choose(id)` records the step's
 * object in the address; `onSaved` is the forms' callback (they call it from an effect, so it is stable and acts
 * once per saved object). `attachHint`: picking an existing object is not enough to go on (the application step
 * attaches the policy to it first); what Continue waits for.
 */
export function useStepChoice(opts: {
  key: "certificate" | "policy" | "application";
  step: SetupStep;
  nextStep: SetupStep;
  chosen: boolean;
  nav: Nav;
  noun: string;
  initial?: { source: Source; picked: string };
  attachHint?: string;
}) {
  const { key, step, nextStep, chosen, nav, noun, attachHint } = opts;
  const [changing, setChanging] = useState(false);
  const [source, setSource] = useState<Source>(opts.initial?.source ?? "new");
  const [picked, setPicked] = useState(opts.initial?.picked ?? "");
  const handled = useRef<string | null>(null);

  const choose = useCallback(
    (id: string) => {
      setChanging(false);
      nav(step, { [key]: id });
    },
    [nav, step, key],
  );
  const onSaved = useCallback(
    (dto: { id: string }) => {
      if (handled.current === dto.id) return;
      handled.current = dto.id;
      choose(dto.id);
    },
    [choose],
  );

  const finish = nextStep === "done";
  const label = finish ? "Finish" : "Continue";
  const goOn = finish ? "finish" : "continue";
  const showChosen = chosen && !changing;
  let next: Next;
  if (showChosen) next = { label, onClick: () => nav(nextStep) };
  else if (source === "existing" && attachHint) next = { label, disabled: true, hint: attachHint };
  else if (source === "existing") next = { label, onClick: () => nav(nextStep, { [key]: picked }), disabled: !picked, hint: picked ? undefined : `Choose a ${noun} to ${goOn}.` };
  else next = { label, disabled: true, hint: `Save the ${noun} to ${goOn}.` };

  return { showChosen, source, setSource, picked, setPicked, choose, onSaved, next, change: () => setChanging(true) };
}
