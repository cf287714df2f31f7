"use client";

import { useActionState, useState } from "react";
import { removeCrlAction, saveCrlAction } from "@/lib/actions/crls";
import { readCertificateFile } from "@/components/test-mtls/read-file";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { describedBy, Field, Textarea } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { SubmitButton } from "@/components/ui/submit-button";
import { Warnings } from "./warnings";

/** Paste or upload a CRL (PEM, or DER converted to base64 in the browser) and save it. */
export function CrlForm({ id, version, replacing }: { id: string; version: number; replacing: boolean }) {
  const [state, action] = useActionState(saveCrlAction, null);
  const [crl, setCrl] = useState("");
  const [note, setNote] = useState<string | null>(null);
  const errors = state && !state.ok ? (state.fieldErrors?.crl ?? (state.message ? [state.message] : undefined)) : undefined;

  async function onFile(file: File | undefined) {
    if (!file) return;
    const r = await readCertificateFile(file, 5 * 1024 * 1024);
    if (r.ok) {
      setCrl(r.text);
      setNote(`Loaded ${file.name}${r.der ? " (DER, converted to base64)" : ""}.`);
    } else setNote(r.error);
  }

  return (
    <form
      action={(fd) => {
        fd.set("crl", crl);
        return action(fd);
      }}
      className="max-w-2xl space-y-3"
      aria-label={replacing ? "Replace the CRL" : "Upload a CRL"}
    >
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
      <Field id="crl-file" label="Upload CRL" hint={note ?? "A .crl (DER) or .pem file."}>
        <input id="crl-file" type="file" accept=".crl,.pem,.der,application/pkix-crl" onChange={(e) => void onFile(e.target.files?.[0])} className="block text-sm" aria-describedby="crl-file-hint" />
      </Field>
      <Field id="crl-content" label="CRL content" hint="PEM: -----BEGIN X509 CRL----- … -----END X509 CRL-----" errors={errors}>
        <Textarea
          id="crl-content"
          rows={6}
          value={crl}
          onChange={(e) => setCrl(e.target.value)}
          spellCheck={false}
          aria-invalid={errors ? true : undefined}
          aria-describedby={describedBy("crl-content", { hint: true, errors })}
        />
      </Field>
      {state?.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {state?.ok ? <Warnings warnings={state.warnings} /> : null}
      <SubmitButton pendingText="Saving…">Save CRL</SubmitButton>
    </form>
  );
}

/** Remove CRL, confirmed in a dialog. */
export function RemoveCrlButton({ id, version }: { id: string; version: number }) {
  const [open, setOpen] = useState(false);
  const [state, action] = useActionState(removeCrlAction, null);
  return (
    <div>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Remove CRL
      </Button>
      <ConfirmDialog
        open={open}
        onClose={() => setOpen(false)}
        title="Remove the certificate revocation list?"
        fields={{ id, version }}
        action={(fd) => {
          setOpen(false);
          return action(fd);
        }}
        confirmLabel="Remove"
        error={state && !state.ok ? state.message : null}
      >
        Revocation will no longer be checked for this chain: certificates on the list are accepted again.
      </ConfirmDialog>
    </div>
  );
}
