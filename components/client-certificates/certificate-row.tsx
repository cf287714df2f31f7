"use client";

import { useActionState, useState } from "react";
import { reactivateClientCertificateAction, revokeClientCertificateAction } from "@/lib/actions/client-certificates";
import { MAX_REASON_LENGTH, type ClientCertificateView } from "@/lib/domain/client-certificates/view";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Field, Textarea } from "../ui/field";
import { SubmitButton } from "../ui/submit-button";
import { Td } from "../ui/table";
import { STATUS_LABELS } from "./status";

const day = (iso: string) => iso.slice(0, 10);

export type ClientCertificateRowData = Pick<ClientCertificateView, "id" | "label" | "commonName" | "serialNumber" | "expiresOn" | "status" | "revocationReason">;

type Outcome = { ok: boolean; message?: string } | null;

/** Revoke client certificate: asks for the reason; a fresh dialog (and action state) per opening. */
function RevokeDialog({ c, onClose, onDone }: { c: ClientCertificateRowData; onClose: () => void; onDone: (o: Outcome) => void }) {
  const [state, revoke] = useActionState(async (prev: Awaited<ReturnType<typeof revokeClientCertificateAction>> | null, form: FormData) => {
    const next = await revokeClientCertificateAction(prev, form);
    if (next.ok) onDone(next);
    return next;
  }, null);
  return (
    <ConfirmDialog
      open={!state?.ok}
      onClose={onClose}
      title="Revoke client certificate"
      fields={{ id: c.id }}
      action={revoke}
      confirmLabel="Revoke"
      pendingLabel="Revoking…"
      error={state && !state.ok ? state.message : null}
    >
      <p>
        Revoke <strong>{c.label || c.commonName || c.serialNumber}</strong>? The gateway refuses it within a second and the CA&apos;s CRL
        lists it. Reactivate undoes this.
      </p>
      <Field id={`revoke-reason-${c.id}`} label="Reason" hint="Recorded in the audit log.">
        <Textarea id={`revoke-reason-${c.id}`} name="reason" rows={2} maxLength={MAX_REASON_LENGTH} className="font-sans text-sm" aria-describedby={`revoke-reason-${c.id}-hint`} />
      </Field>
    </ConfirmDialog>
  );
}

/** One issued certificate; for admins **Revoke** (a reason is asked) or **Reactivate**, each audited. */
export function ClientCertificateRow({ certificate: c, canEdit }: { certificate: ClientCertificateRowData; canEdit: boolean }) {
  const [revoking, setRevoking] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>(null);
  const [, reactivate] = useActionState(async (prev: Awaited<ReturnType<typeof reactivateClientCertificateAction>> | null, form: FormData) => {
    const next = await reactivateClientCertificateAction(prev, form);
    setOutcome(next);
    return next;
  }, null);
  const s = STATUS_LABELS[c.status];
  const nameId = `client-certificate-${c.id}`;
  return (
    <tr>
      <Td className="font-medium" id={nameId}>
        {c.label || <span className="text-slate-600 dark:text-slate-300">(no label)</span>}
      </Td>
      <Td>{c.commonName || <span className="text-slate-600 dark:text-slate-300">None</span>}</Td>
      <Td className="font-mono text-xs break-all">{c.serialNumber}</Td>
      <Td className="whitespace-nowrap">{day(c.expiresOn)}</Td>
      <Td>
        <Badge tone={s.tone}>{s.label}</Badge>
        {c.status !== "active" && c.revocationReason ? <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">{c.revocationReason}</p> : null}
      </Td>
      {canEdit ? (
        <Td className="whitespace-nowrap text-right">
          {c.status === "active" ? (
            <Button size="sm" variant="danger" onClick={() => setRevoking((n) => n + 1)} aria-describedby={nameId}>
              Revoke
            </Button>
          ) : (
            <form action={reactivate}>
              <input type="hidden" name="id" value={c.id} />
              <SubmitButton size="sm" variant="secondary" pendingText="Reactivating…" aria-describedby={nameId}>
                Reactivate
              </SubmitButton>
            </form>
          )}
          {outcome ? (
            <p role={outcome.ok ? "status" : "alert"} className="mt-1 text-left text-xs whitespace-normal">
              {outcome.message}
            </p>
          ) : null}
          {revoking > 0 ? <RevokeDialog key={revoking} c={c} onClose={() => setRevoking(0)} onDone={(o) => { setOutcome(o); setRevoking(0); }} /> : null}
        </Td>
      ) : null}
    </tr>
  );
}
