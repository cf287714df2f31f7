"use client";

import type { ReactNode } from "react";
import { Button } from "@/components/ui/button";

export const READ_ONLY_NOTICE = "You have read-only access (viewer role). Ask an admin to run the guided setup.";

/** A step: its heading ("Step 2 of 4: Associated hostnames"), what the docs say about it, then its content. */
export function StepFrame({ number, title, intro, children }: { number: number; title: string; intro: ReactNode; children: ReactNode }) {
  return (
    <div className="space-y-4">
      <div>
        <h2 className="text-lg font-semibold">
          <span className="text-slate-500 dark:text-slate-400">Step {number} of 4:</span> {title}
        </h2>
        <div className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-400">{intro}</div>
      </div>
      {children}
    </div>
  );
}

/**
 * Back / Continue (or Finish). `next` is omitted for viewers on write steps. A disabled Continue says why
 * in `hint` (linked with aria-describedby).
 */
export function StepFooter({
  onBack,
  next,
}: {
  onBack?: () => void;
  next?: { label?: "Continue" | "Finish"; onClick?: () => void; type?: "button" | "submit"; form?: string; disabled?: boolean; pending?: boolean; hint?: string };
}) {
  return (
    <div className="flex flex-wrap items-center gap-3 border-t border-slate-200 pt-4 dark:border-slate-800">
      {onBack ? (
        <Button variant="secondary" onClick={onBack}>
          Back
        </Button>
      ) : null}
      {next ? (
        <>
          <Button
            type={next.type ?? "button"}
            form={next.form}
            onClick={next.onClick}
            disabled={next.disabled || next.pending}
            aria-disabled={next.disabled || next.pending}
            aria-describedby={next.hint ? "setup-next-hint" : undefined}
          >
            {next.pending ? "Saving…" : (next.label ?? "Continue")}
          </Button>
          {next.hint ? (
            <span id="setup-next-hint" className="text-xs text-slate-500 dark:text-slate-400">
              {next.hint}
            </span>
          ) : null}
        </>
      ) : null}
    </div>
  );
}

/** What a step has chosen (a created or picked object), with a way to choose again. */
export function ChosenCard({ title, children, onChange, changeLabel }: { title: string; children: ReactNode; onChange?: () => void; changeLabel: string }) {
  return (
    <div className="flex flex-wrap items-start justify-between gap-3 rounded-lg border border-emerald-300 bg-emerald-50/60 p-4 dark:border-emerald-800 dark:bg-emerald-950/40">
      <div className="min-w-0 text-sm">
        <p className="font-semibold">{title}</p>
        <div className="mt-1 text-slate-700 dark:text-slate-300">{children}</div>
      </div>
      {onChange ? (
        <Button variant="secondary" size="sm" onClick={onChange}>
          {changeLabel}
        </Button>
      ) : null}
    </div>
  );
}

/** Radio pair "new" / "existing" for steps where an existing object can be picked instead of created. */
export function SourceChoice({
  name,
  legend,
  value,
  onChange,
  newLabel,
  existingLabel,
  existingCount,
}: {
  name: string;
  legend: string;
  value: "new" | "existing";
  onChange: (v: "new" | "existing") => void;
  newLabel: string;
  existingLabel: string;
  existingCount: number;
}) {
  return (
    <fieldset className="flex flex-wrap gap-4 text-sm">
      <legend className="sr-only">{legend}</legend>
      {(["new", "existing"] as const).map((v) => (
        <label key={v} className="inline-flex items-center gap-2">
          <input type="radio" name={name} value={v} checked={value === v} disabled={v === "existing" && existingCount === 0} onChange={() => onChange(v)} />
          {v === "new" ? newLabel : `${existingLabel}${existingCount === 0 ? " (none yet)" : ""}`}
        </label>
      ))}
    </fieldset>
  );
}

/** In place of a step's form for viewers (the page shows the read-only notice once, above the steps). */
export function NothingChosen() {
  return <p className="text-sm text-slate-600 dark:text-slate-400">Nothing has been chosen for this step yet.</p>;
}
