"use client";

import { startTransition, useActionState, useState } from "react";
import { deletePolicyAction, type PolicyActionState } from "@/app/(console)/access-controls/policies/actions";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Notice } from "../ui/notice";

/** Row button Delete → confirm dialog. A refusal (policy still in use) is shown in role=alert under the row. */
export function DeletePolicyButton({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [state, dispatch, pending] = useActionState(async (prev: PolicyActionState<{ id: string }> | null, policyId: string) => {
    const next = await deletePolicyAction(prev, policyId);
    setOpen(false);
    return next;
  }, null);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)}>
        Delete
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Delete policy ${name}?`}>
        <p className="text-sm">Applications will no longer be able to use this policy. This cannot be undone.</p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button variant="danger" disabled={pending} onClick={() => startTransition(() => dispatch(id))}>
            Delete
          </Button>
        </div>
      </Dialog>
      {state && !state.ok ? (
        <Notice tone="error" className="mt-2 max-w-md text-left">
          {state.message}
        </Notice>
      ) : null}
    </>
  );
}
