"use client";

import { useActionState, useState } from "react";
import { deleteCertificateAction } from "@/lib/actions/certificates";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import type { ActionState } from "@/lib/actions/action-state";

export interface ImpactedApp {
  id: string;
  name: string;
  hostname: string;
}

/** Delete with confirmation; the dialog names the hostnames and the applications that would lose mTLS. */
export function DeleteCertificateButton({
  id,
  name,
  hostnames,
  impact,
}: {
  id: string;
  name: string;
  hostnames: string[];
  impact: ImpactedApp[];
}) {
  // null until the first click: the dialog is mounted then, not with the row (see DeletePolicyButton).
  const [open, setOpen] = useState<boolean | null>(null);
  const [state, action] = useActionState<ActionState<{ id: string }> | null, FormData>(deleteCertificateAction, null);
  return (
    <>
      <Button variant="secondary" size="sm" onClick={() => setOpen(true)} className="text-red-700 dark:text-red-400">
        Delete
      </Button>
      {open !== null ? (
        <ConfirmDialog
          open={open}
          onClose={() => setOpen(false)}
          title={`Delete ${name}?`}
          fields={{ id, name }}
          action={action}
          confirmLabel="Delete"
          pendingLabel="Deleting…"
          error={state && !state.ok ? state.message : null}
          warning={
            impact.length ? (
              <>
                <p className="font-medium">
                  {impact.length === 1 ? "This application uses" : `These ${impact.length} applications use`} certificate rules (Valid
                  Certificate / Common Name) that can no longer match once this certificate is deleted:
                </p>
                <p className="mt-1">{impact.map((a) => `${a.name} (${a.hostname})`).join(", ")}</p>
              </>
            ) : null
          }
        >
          <p>Clients whose certificates chain to this CA will no longer be trusted. This cannot be undone.</p>
          {hostnames.length ? (
            <p>
              Its associated hostnames are removed with it: <span className="font-mono text-xs">{hostnames.join(", ")}</span>.
            </p>
          ) : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}
