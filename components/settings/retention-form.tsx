"use client";

import { useActionState } from "react";
import { saveRetentionAction } from "@/lib/actions/retention";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

type Key = "accessLogDays" | "accessLogMaxRows" | "auditLogDays" | "auditLogMaxRows";

const FIELDS: { key: Key; label: string; hint: string }[] = [
  { key: "accessLogDays", label: "Access log: days to keep", hint: "1 to 3,650 days." },
  { key: "accessLogMaxRows", label: "Access log: maximum rows", hint: "1,000 to 100,000,000 rows; the oldest go first." },
  { key: "auditLogDays", label: "Audit log: days to keep", hint: "1 to 3,650 days." },
  { key: "auditLogMaxRows", label: "Audit log: maximum rows", hint: "1,000 to 100,000,000 rows; the oldest go first." },
];

/** Four whole numbers and Save retention; read-only (no button) for viewers. */
export function RetentionForm({ canEdit, values }: { canEdit: boolean; values: Record<Key, string> }) {
  const [state, action] = useActionState(saveRetentionAction, null);
  const fe = state?.fieldErrors ?? {};
  return (
    <form action={action} noValidate className="max-w-2xl space-y-3 rounded-md border border-slate-200 p-4 dark:border-slate-700">
      {state ? <Notice tone={state.ok ? "success" : "error"}>{state.message}</Notice> : null}
      <div className="grid gap-3 sm:grid-cols-2">
        {FIELDS.map(({ key, label, hint }) => {
          const id = `retention-${key}`;
          const value = state?.values?.[key] ?? values[key];
          return (
            <Field key={key} id={id} label={label} hint={hint} errors={fe[key]}>
              <Input
                id={id}
                name={key}
                type="text"
                inputMode="numeric"
                autoComplete="off"
                readOnly={!canEdit}
                defaultValue={value}
                key={value}
                aria-invalid={!!fe[key]}
                aria-describedby={describedBy(id, { hint: true, errors: fe[key] })}
              />
            </Field>
          );
        })}
      </div>
      {canEdit ? (
        <SubmitButton pendingText="Saving…">Save retention</SubmitButton>
      ) : (
        <p className="text-xs text-slate-500 dark:text-slate-400">Only admins can change retention.</p>
      )}
    </form>
  );
}
