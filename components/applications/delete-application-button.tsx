"use client";

import { useRouter } from "next/navigation";
import { useActionState, useState } from "react";
import { deleteApplicationAction, type AppActionState } from "@/lib/actions/applications";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";

export function DeleteApplicationButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [state, dispatch] = useActionState(async (prev: AppActionState<{ id: string }> | null, form: FormData) => {
    const next = await deleteApplicationAction(prev, String(form.get("id")));
    setOpen(false);
    if (next.ok) router.push("/access-controls/applications");
    return next;
  }, null);
  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete application
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title={`Delete application ${name}?`}
        fields={{ id }}
        action={dispatch}
        confirmLabel="Delete"
        error={state && !state.ok ? state.message : null}
      >
        Requests to its domain will no longer be matched by this application. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
