"use client";

import type { ReactNode } from "react";
import { Button } from "./button";
import { Dialog } from "./dialog";
import { Notice } from "./notice";
import { SubmitButton } from "./submit-button";

/**
 * Confirm before a destructive change: a modal dialog (named by `title`) whose form posts `fields` as hidden
 * inputs to `action`, with buttons Cancel and `confirmLabel`. The confirm button is disabled (and shows
 * `pendingLabel`, if given) while the form's action runs. `error` is shown in role="alert": inside the dialog
 * while it is open, after it (where the caller placed the dialog) once it is closed.
 */
export function ConfirmDialog({
  open,
  onClose,
  title,
  children,
  warning,
  fields = {},
  action,
  confirmLabel,
  pendingLabel,
  error,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  /** What the change does; plain text is wrapped in a paragraph. */
  children: ReactNode;
  /** What else it affects, shown as a warning notice under the body. */
  warning?: ReactNode;
  fields?: Record<string, string | number>;
  action: (formData: FormData) => void | Promise<void>;
  confirmLabel: string;
  pendingLabel?: string;
  error?: string | null;
}) {
  return (
    <>
      <Dialog open={open} onClose={onClose} title={title}>
        <form action={action} className="space-y-3 text-sm">
          {Object.entries(fields).map(([name, value]) => (
            <input key={name} type="hidden" name={name} value={value} />
          ))}
          {typeof children === "string" ? <p>{children}</p> : children}
          {warning ? <Notice tone="warning">{warning}</Notice> : null}
          {error ? <Notice tone="error">{error}</Notice> : null}
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingText={pendingLabel}>
              {confirmLabel}
            </SubmitButton>
          </div>
        </form>
      </Dialog>
      {error && !open ? (
        <Notice tone="error" className="mt-2 max-w-md text-left">
          {error}
        </Notice>
      ) : null}
    </>
  );
}
