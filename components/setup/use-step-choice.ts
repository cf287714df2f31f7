"use client";

import { useCallback, useRef, useState } from "react";
import type { StepFooter } from "./step-frame";
import type { SetupIds, SetupStep } from "./steps";

type Nav = (step: SetupStep, patch?: SetupIds) => void;
type Next = Parameters<typeof StepFooter>[0]["next"];

/**
 * The state shared by the "create a new one or pick an existing one" steps: which source is chosen,
 * the picked id, the saved callback (forms call onSaved from an effect, so it is stable and acts once
 * per saved object), and what Continue does.
 */
export function useStepChoice(opts: { key: "certificate" | "policy"; step: SetupStep; nextStep: SetupStep; chosen: boolean; nav: Nav; noun: string }) {
  const { key, step, nextStep, chosen, nav, noun } = opts;
  const [changing, setChanging] = useState(false);
  const [source, setSource] = useState<"new" | "existing">("new");
  const [picked, setPicked] = useState("");
  const handled = useRef<string | null>(null);

  const onSaved = useCallback(
    (dto: { id: string }) => {
      if (handled.current === dto.id) return;
      handled.current = dto.id;
      setChanging(false);
      nav(step, { [key]: dto.id });
    },
    [nav, step, key],
  );

  const showChosen = chosen && !changing;
  let next: Next;
  if (showChosen) next = { onClick: () => nav(nextStep) };
  else if (source === "existing") next = { onClick: () => nav(nextStep, { [key]: picked }), disabled: !picked, hint: picked ? undefined : `Choose a ${noun} to continue.` };
  else next = { disabled: true, hint: `Save the ${noun} to continue.` };

  return { showChosen, source, setSource, picked, setPicked, onSaved, next, change: () => setChanging(true) };
}
