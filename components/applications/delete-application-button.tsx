"use client";

import { useRouter } from "next/navigation";
import { startTransition, useActionState, useState } from "react";
import { deleteApplicationAction, type AppActionState } from "@/app/(console)/access-controls/applications/actions";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { Notice } from "../ui/notice";

export function DeleteApplicationButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [state, dispatch, pending] = useActionState(async (prev: AppActionState<{ id: string }> | null, appId: string) => {
    const next = await deleteApplicationAction(prev, appId);
    setOpen(false);
    if (next.ok) router.push("/access-controls/applications");
    return next;
  }, null);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete application
      </Button>
      <Dialog open={open} onClose={() => setOpen(false)} title={`Delete application ${name}?`}>
        <p className="text-sm">Requests to its domain will no longer be matched by this application. This cannot be undone.</p>
        <div className="mt-4 flex justify-end gap-2">
          <Button variant="secondary" onClick={() => setOpen(false)}>
            Cancel
          </Button>
          <Button variant="danger" disabled={pending} onClick={() => startTransition(() => dispatch(id))}>
            Delete
          </Button>
        </div>
      </Dialog>
      {state && !state.ok ? <Notice tone="error" className="mt-2">{state.message}</Notice> : null}
    </>
  );
}
