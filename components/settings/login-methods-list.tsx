"use client";

import { useActionState, useState } from "react";
import { deleteLoginMethodAction } from "@/lib/actions/login-methods";
import type { LoginMethodDto } from "@/lib/domain/login-methods";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Notice } from "../ui/notice";
import { Table, Td, Th } from "../ui/table";
import { LoginMethodForm } from "./login-methods-form";

function DeleteLoginMethod({ method, onDeleted }: { method: LoginMethodDto; onDeleted: (message: string) => void }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(async (prev: Awaited<ReturnType<typeof deleteLoginMethodAction>> | null, form: FormData) => {
    const next = await deleteLoginMethodAction(prev, form);
    // The row goes away with the method: the list announces the deletion.
    if (next.ok) onDeleted(next.message ?? `Deleted login method ${method.name}.`);
    return next;
  }, null);
  return (
    <>
      <Button size="sm" variant="danger" aria-label={`Delete login method ${method.name}`} onClick={() => setOpen(true)}>
        Delete
      </Button>
      <ConfirmDialog
        open={open && !state?.ok}
        onClose={() => setOpen(false)}
        title={`Delete login method ${method.name}?`}
        fields={{ id: method.id }}
        action={action}
        confirmLabel="Delete"
        pendingLabel="Deleting…"
        error={state && !state.ok ? state.message : null}
      >
        <p>
          People can no longer sign in at the gateway with <strong>{method.name}</strong>; applications that also offer other login
          methods keep those. Sessions already signed in last until they expire.
        </p>
      </ConfirmDialog>
    </>
  );
}

/**
 * Settings → Login methods, the interactive part: the table **Login methods** (per row **Edit** and **Delete** for
 * admins) and **Add login method**, which opens the form; one form is open at a time.
 */
export function LoginMethodsList({ methods, canEdit }: { methods: LoginMethodDto[]; canEdit: boolean }) {
  const [editing, setEditing] = useState<string | "new" | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const current = editing && editing !== "new" ? methods.find((m) => m.id === editing) : undefined;
  const done = (m: LoginMethodDto | null) => {
    setSaved(m ? `Login method ${m.name} ${editing === "new" ? "added" : "saved"}.` : null);
    setEditing(null);
  };
  return (
    <div className="space-y-3">
      {saved ? <Notice tone="success">{saved}</Notice> : null}
      {methods.length ? (
        <Table caption="Login methods">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Issuer URL</Th>
              <Th>Client ID</Th>
              <Th>Scopes</Th>
              <Th>Email claim</Th>
              {canEdit ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {methods.map((m) => (
              <tr key={m.id}>
                <Td className="font-medium">{m.name}</Td>
                <Td className="font-mono text-xs break-all">{m.issuer_url}</Td>
                <Td className="font-mono text-xs break-all">{m.client_id}</Td>
                <Td className="text-xs">{m.scopes}</Td>
                <Td className="font-mono text-xs">{m.email_claim}</Td>
                {canEdit ? (
                  <Td>
                    <div className="flex flex-wrap gap-2">
                      <Button size="sm" variant="secondary" aria-label={`Edit login method ${m.name}`} onClick={() => { setSaved(null); setEditing(m.id); }}>
                        Edit
                      </Button>
                      <DeleteLoginMethod method={m} onDeleted={setSaved} />
                    </div>
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">No login methods yet: the gateway cannot sign anyone in, so Emails and Emails ending in rules never match.</p>
      )}
      {canEdit && editing === null ? (
        <Button onClick={() => { setSaved(null); setEditing("new"); }}>Add login method</Button>
      ) : null}
      {canEdit && editing === "new" ? <LoginMethodForm onDone={done} /> : null}
      {canEdit && current ? <LoginMethodForm key={current.id} method={current} onDone={done} /> : null}
    </div>
  );
}
