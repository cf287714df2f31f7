"use client";

import Link from "next/link";
import { startTransition, useActionState, useEffect, useRef, useState } from "react";
import { setPoliciesAction } from "@/lib/actions/applications";
import type { ApplicationDto } from "@/lib/domain/applications";
import { DECISION_LABELS, type PolicyDecision } from "@/lib/policy";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Notice } from "../ui/notice";
import { RefusalNotice } from "./refusal-notice";

export interface PolicyOption {
  id: string;
  name: string;
  decision: PolicyDecision;
  summary: string;
}

type Focus = { id: string; which: "up" | "down" | "remove-next" } | null;

/**
 * The Policies tab: attached policies in precedence order (Move up / Move down / Remove, focus follows the
 * moved item), a dialog to select existing policies, and Save application.
 */
export function PolicyPicker({
  app,
  options,
  version,
  canEdit,
  onSaved,
}: {
  app: ApplicationDto;
  options: PolicyOption[];
  version: number;
  canEdit: boolean;
  onSaved: (app: ApplicationDto) => void;
}) {
  const [attached, setAttached] = useState<string[]>(() => app.policies.map((p) => p.id));
  const [open, setOpen] = useState(false);
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [state, dispatch, pending] = useActionState(setPoliciesAction, null);
  const focus = useRef<Focus>(null);
  const listRef = useRef<HTMLOListElement>(null);
  const byId = new Map<string, PolicyOption>(options.map((o) => [o.id, o]));
  for (const p of app.policies) if (!byId.has(p.id)) byId.set(p.id, { id: p.id, name: p.name, decision: p.decision, summary: "" });

  useEffect(() => {
    if (state?.ok && state.data) onSaved(state.data);
  }, [state, onSaved]);

  useEffect(() => {
    const f = focus.current;
    focus.current = null;
    if (!f) return;
    if (f.which === "remove-next") {
      const target = listRef.current?.querySelector<HTMLButtonElement>("[data-move]") ?? document.getElementById("select-policies");
      target?.focus();
      return;
    }
    const el = document.getElementById(`move-${f.which}-${f.id}`) as HTMLButtonElement | null;
    const other = document.getElementById(`move-${f.which === "up" ? "down" : "up"}-${f.id}`) as HTMLButtonElement | null;
    (el && !el.disabled ? el : other)?.focus();
  }, [attached]);

  function move(index: number, delta: -1 | 1) {
    const j = index + delta;
    if (j < 0 || j >= attached.length) return;
    const next = [...attached];
    [next[index], next[j]] = [next[j], next[index]];
    focus.current = { id: attached[index], which: delta < 0 ? "up" : "down" };
    setAttached(next);
  }

  function openDialog() {
    setChecked(new Set(attached));
    setOpen(true);
  }

  function confirm() {
    const kept = attached.filter((id) => checked.has(id));
    const added = options.map((o) => o.id).filter((id) => checked.has(id) && !kept.includes(id));
    setAttached([...kept, ...added]);
    setOpen(false);
  }

  const dirty = attached.join() !== app.policies.map((p) => p.id).join();
  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Policies run in this order (Service Auth and Bypass policies are evaluated before the others). The first match decides; no match is
        a deny.
      </p>
      {state && !state.ok ? <RefusalNotice message={state.message} kind={state.kind} /> : null}
      {state?.ok && !dirty ? <Notice tone="success">{state.message}</Notice> : null}
      {attached.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 p-4 text-sm dark:border-slate-700">
          No policies attached: every request is denied by default.
        </p>
      ) : (
        <ol ref={listRef} aria-label="Attached policies" className="space-y-2">
          {attached.map((id, i) => {
            const p = byId.get(id);
            return (
              <li key={id} className="flex flex-wrap items-center gap-3 rounded-md border border-slate-200 px-3 py-2 dark:border-slate-700">
                <span className="w-6 text-right font-mono text-xs text-slate-500 dark:text-slate-400" aria-hidden>
                  {i + 1}
                </span>
                <span className="min-w-0 flex-1">
                  <span className="font-medium">{p?.name ?? id}</span>{" "}
                  {p ? <Badge>{DECISION_LABELS[p.decision]}</Badge> : null}
                  {p?.summary ? <span className="block text-xs text-slate-500 dark:text-slate-400">{p.summary}</span> : null}
                </span>
                {canEdit ? (
                  <span className="flex gap-1">
                    <Button id={`move-up-${id}`} data-move variant="secondary" size="sm" disabled={i === 0} onClick={() => move(i, -1)}>
                      Move up
                    </Button>
                    <Button id={`move-down-${id}`} data-move variant="secondary" size="sm" disabled={i === attached.length - 1} onClick={() => move(i, 1)}>
                      Move down
                    </Button>
                    <Button
                      variant="secondary"
                      size="sm"
                      onClick={() => {
                        focus.current = { id, which: "remove-next" };
                        setAttached(attached.filter((x) => x !== id));
                      }}
                    >
                      Remove
                    </Button>
                  </span>
                ) : null}
              </li>
            );
          })}
        </ol>
      )}
      {canEdit ? (
        <div className="flex flex-wrap gap-2">
          <Button id="select-policies" variant="secondary" onClick={openDialog}>
            Select existing policies
          </Button>
          <Button disabled={pending} aria-disabled={pending} onClick={() => startTransition(() => dispatch({ id: app.id, policyIds: attached, version }))}>
            {pending ? "Saving…" : "Save application"}
          </Button>
          {dirty ? <span className="self-center text-xs text-amber-700 dark:text-amber-300">Unsaved changes</span> : null}
        </div>
      ) : null}
      <Dialog open={open} onClose={() => setOpen(false)} title="Select existing policies">
        {options.length === 0 ? (
          <p className="text-sm">
            There are no policies yet.{" "}
            <Link className="underline" href="/access-controls/policies/new">
              Add a policy
            </Link>{" "}
            first.
          </p>
        ) : (
          <fieldset className="max-h-80 space-y-2 overflow-y-auto">
            <legend className="sr-only">Policies</legend>
            {options.map((o) => (
              <div key={o.id} className="flex items-start gap-2 text-sm">
                <input
                  id={`pick-${o.id}`}
                  type="checkbox"
                  className="mt-1"
                  checked={checked.has(o.id)}
                  aria-describedby={`opt-${o.id}`}
                  onChange={(e) => {
                    const next = new Set(checked);
                    if (e.target.checked) next.add(o.id);
                    else next.delete(o.id);
                    setChecked(next);
                  }}
                />
                <div>
                  <label htmlFor={`pick-${o.id}`}>{o.name}</label>
                  <p id={`opt-${o.id}`} className="text-xs text-slate-500 dark:text-slate-400">
                    {DECISION_LABELS[o.decision]} · {o.summary}
                  </p>
                </div>
              </div>
            ))}
          </fieldset>
        )}
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button onClick={confirm} disabled={options.length === 0}>
            Confirm
          </Button>
        </div>
      </Dialog>
    </div>
  );
}
