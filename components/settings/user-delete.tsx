"use client";

import { useActionState, useState } from "react";
import { deleteUserAction } from "@/lib/actions/users";
import type { UserDto } from "@/lib/domain/users";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";

/** "Delete user" on a row of Settings → Users, confirmed in a dialog; the server refuses self and the last admin. */
export function UserDelete({ user }: { user: UserDto }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(deleteUserAction, null);
  // Once deleted, the row leaves the list on the revalidated page; until then the dialog stays closed.
  const shown = open && !state?.ok;
  return (
    <>
      <Button size="sm" variant="danger" onClick={() => setOpen(true)} aria-label={`Delete user ${user.email}`}>
        Delete user
      </Button>
      <ConfirmDialog
        open={shown}
        onClose={() => setOpen(false)}
        title={`Delete ${user.email}?`}
        fields={{ id: user.id }}
        action={action}
        confirmLabel="Delete user"
        pendingLabel="Deleting…"
        warning="Their open sessions end at once and their API tokens are deleted. The audit log keeps their history."
        error={state && !state.ok ? (state.message ?? null) : null}
      >
        {`${user.email} will no longer be able to sign in.`}
      </ConfirmDialog>
    </>
  );
}
