"use client";

import { useActionState, useState } from "react";
import { createManagedCaAction, exportManagedCaAction, importManagedCaAction, retireManagedCaAction } from "@/lib/actions/managed-ca";
import { downloadFile, fileStem } from "../client-certificates/download";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Dialog } from "../ui/dialog";
import { describedBy, Field, Input, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";
import { CA_KEY_CHOICES } from "./key-choices";


const Outcome = ({ state }: { state: { ok: boolean; message?: string } | null }) =>
  state?.message ? <Notice tone={state.ok ? "success" : "error"}>{state.message}</Notice> : null;

/** Rotation: **Create a new managed CA** with the chosen key type; the previous CA stays trusted. */
export function CreateManagedCaForm() {
  const [state, action] = useActionState(createManagedCaAction, null);
  return (
    <form action={action} aria-label="Create a new managed CA" className="space-y-2">
      <Field id="managed-ca-key-type" label="Key type" hint="The new CA issues every certificate from now on; the current one stays trusted until its last certificate expires or you retire it.">
        <Select id="managed-ca-key-type" name="key_type" defaultValue="ecdsa-p256" className="max-w-48" aria-describedby="managed-ca-key-type-hint">
          {CA_KEY_CHOICES.map((c) => (
            <option key={c.value} value={c.value}>
              {c.label}
            </option>
          ))}
        </Select>
      </Field>
      <SubmitButton variant="secondary" pendingText="Creating…">
        Create a new managed CA
      </SubmitButton>
      <Outcome state={state} />
    </form>
  );
}

/** Backup: the CA (certificate and key) as a PKCS#12 file under a password typed here, downloaded at once. */
function ExportDialog({ ca, onClose }: { ca: { id: string; name: string }; onClose: () => void }) {
  const [state, action] = useActionState(async (prev: Awaited<ReturnType<typeof exportManagedCaAction>> | null, form: FormData) => {
    const next = await exportManagedCaAction(prev, form);
    if (next.ok && next.data) downloadFile(`${fileStem(ca.name)}.p12`, Uint8Array.from(atob(next.data), (ch) => ch.charCodeAt(0)), "application/x-pkcs12");
    return next;
  }, null);
  const errors = state && !state.ok ? state.fieldErrors?.password : undefined;
  return (
    <Dialog open onClose={onClose} title="Export the managed CA">
      <form action={action} className="space-y-3 text-sm">
        <input type="hidden" name="id" value={ca.id} />
        <p>
          A PKCS#12 file with <strong>{ca.name}</strong> and its private key, encrypted with AES-256 under the password below. Import it on
          another installation (Mutual TLS → Import a managed CA). Keep the file and the password apart.
        </p>
        <Field id={`export-password-${ca.id}`} label="Backup password" hint="At least 8 characters." errors={errors}>
          <Input id={`export-password-${ca.id}`} name="password" type="password" autoComplete="new-password" aria-invalid={!!errors} aria-describedby={describedBy(`export-password-${ca.id}`, { hint: true, errors })} />
        </Field>
        <Outcome state={state} />
        <div className="flex justify-end gap-2 pt-2">
          <Button variant="secondary" onClick={onClose}>
            {state?.ok ? "Close" : "Cancel"}
          </Button>
          <SubmitButton pendingText="Exporting…">Export</SubmitButton>
        </div>
      </form>
    </Dialog>
  );
}

/** A managed CA's row buttons: **Export PKCS#12** and, while it is not retired, **Retire**. */
export function ManagedCaRowActions({ ca }: { ca: { id: string; name: string; retired: boolean; current: boolean } }) {
  const [exporting, setExporting] = useState(0);
  const [retiring, setRetiring] = useState(false);
  const [retired, retire] = useActionState(retireManagedCaAction, null);
  return (
    <span className="inline-flex flex-wrap gap-2">
      {ca.retired ? null : (
        <Button size="sm" variant="secondary" onClick={() => setExporting((n) => n + 1)}>
          Export PKCS#12
        </Button>
      )}
      {ca.retired ? null : (
        <Button size="sm" variant="danger" onClick={() => setRetiring(true)}>
          Retire
        </Button>
      )}
      {exporting > 0 ? <ExportDialog key={exporting} ca={ca} onClose={() => setExporting(0)} /> : null}
      <ConfirmDialog
        open={retiring && !retired?.ok}
        onClose={() => setRetiring(false)}
        title={`Retire managed CA ${ca.name}?`}
        fields={{ id: ca.id }}
        action={retire}
        confirmLabel="Retire"
        pendingLabel="Retiring…"
        error={retired && !retired.ok ? retired.message : null}
      >
        {ca.current
          ? "It issues no more certificates and is no longer trusted: the certificates it issued are refused from now on, and its hostnames lose it. Create a new managed CA first to keep issuing."
          : "It is no longer trusted: the certificates it issued are refused from now on, and its hostnames lose it."}
      </ConfirmDialog>
    </span>
  );
}

/** Restore a backup: **PKCS#12 file** and **Backup password** → **Import**; the imported CA issues from then on. */
export function ImportManagedCaForm() {
  const [state, action] = useActionState(importManagedCaAction, null);
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  return (
    <form action={action} aria-label="Import a managed CA" className="space-y-2">
      <Field id="managed-ca-import-file" label="PKCS#12 file" hint="A backup exported from another Portcullis installation (.p12)." errors={fe.file}>
        <input id="managed-ca-import-file" name="file" type="file" accept=".p12,.pfx,application/x-pkcs12" className="text-sm" aria-invalid={!!fe.file} aria-describedby={describedBy("managed-ca-import-file", { hint: true, errors: fe.file })} />
      </Field>
      <Field id="managed-ca-import-password" label="Backup password" errors={fe.password}>
        <Input id="managed-ca-import-password" name="password" type="password" autoComplete="off" className="max-w-sm" aria-invalid={!!fe.password} aria-describedby={describedBy("managed-ca-import-password", { errors: fe.password })} />
      </Field>
      <SubmitButton variant="secondary" pendingText="Importing…">
        Import
      </SubmitButton>
      <Outcome state={state} />
    </form>
  );
}
