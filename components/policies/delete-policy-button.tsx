"use client";

import { useActionState, useState } from "react";
import { deletePolicyAction, type PolicyActionState } from "@/lib/actions/policies";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";

/**
 * Row button Delete → confirm dialog. A refusal (policy still in use) is shown in role=alert under the row. The
 * dialog is mounted on the first click, not with the row: a page of a hundred policies would otherwise render and
 * hydrate a hundred closed dialogs nobody opens. Once mounted it stays, so closing it goes through the native
 * close(), which returns focus to this button.
 */
export function DeletePolicyButton({ id, name }: { id: string; name: string }) {
  // null until the first click: no dialog yet.
  const [open, setOpen] = useState<boolean | null>(null);
  const [state, dispatch] = useActionState(async (prev: PolicyActionState<{ id: string }> | null, form: FormData) => {
    const next = await deletePolicyAction(prev, String(form.get("id")));
    setOpen(false);
    return next;
  }, null);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        Delete
      </Button>
      {open !== null ? (
        <ConfirmDialog
          open={open}
          onClose={() => setOpen(false)}
          title={`Delete policy ${name}?`}
          fields={{ id }}
          action={dispatch}
          confirmLabel="Delete"
          error={state && !state.ok ? state.message : null}
        >
          Applications will no longer be able to use this policy. This cannot be undone.
        </ConfirmDialog>
      ) : null}
    </>
  );
}
