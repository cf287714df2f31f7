"use client";

import Link from "next/link";
import { useActionState, useId, useState } from "react";
import { blockCertificateAction } from "@/lib/actions/blocked-certificates";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { describedBy, Field, FieldErrors, Textarea } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

const BLOCKED_PATH = "/access-controls/service-credentials/mutual-tls/blocked";

/** What names the certificate: a logged request's leaf, its PEM (Test mTLS), or its fingerprint. */
export type BlockTarget = { access_log_id: string } | { certificate: string } | { sha256: string };

function BlockDialog({ target, source, label, onClose }: { target: BlockTarget; source: "access_log" | "test_mtls" | "certificate"; label: string; onClose: () => void }) {
  const [state, action] = useActionState(blockCertificateAction, null);
  const id = useId();
  const reasonId = `${id}-reason`;
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  return (
    <Dialog open onClose={onClose} title="Block this certificate">
      {state?.ok ? (
        <div className="space-y-3 text-sm">
          <Notice tone="success">
            {state.message}{" "}
            <Link href={BLOCKED_PATH} className="underline">
              Blocked certificates
            </Link>{" "}
            lists it, with Unblock.
          </Notice>
          <div className="flex justify-end">
            <Button onClick={onClose}>Close</Button>
          </div>
        </div>
      ) : (
        <form action={action} className="space-y-3 text-sm">
          {Object.entries(target).map(([k, v]) => (
            <input key={k} type="hidden" name={k} value={v} />
          ))}
          <input type="hidden" name="source" value={source} />
          <p>
            The gateway will refuse <strong>{label}</strong> on every application, whatever the policies say, within a second. No CRL is needed; unblock it
            under Mutual TLS → Blocked certificates.
          </p>
          <fieldset className="space-y-1">
            <legend className="text-sm font-medium text-slate-700 dark:text-slate-200">Match by</legend>
            <label className="flex items-center gap-2">
              <input type="radio" name="match" value="sha256" defaultChecked /> SHA-256 fingerprint (this exact certificate)
            </label>
            <label className="flex items-center gap-2">
              <input type="radio" name="match" value="issuer_serial" /> Issuer and serial number (also a re-encoded copy)
            </label>
            <FieldErrors id={`${id}-match`} errors={errors?.match} />
          </fieldset>
          <Field id={reasonId} label="Reason" hint="Shown in the access log and on the gateway's 403 page." errors={errors?.reason}>
            <Textarea id={reasonId} name="reason" rows={2} required maxLength={500} className="font-sans text-sm" aria-invalid={!!errors?.reason} aria-describedby={describedBy(reasonId, { hint: true, errors: errors?.reason })} defaultValue={state?.values?.reason ?? ""} />
          </Field>
          {state && !state.ok && !errors?.reason && !errors?.match ? <Notice tone="error">{state.message}</Notice> : null}
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <SubmitButton variant="danger" pendingText="Blocking…">
              Block
            </SubmitButton>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/**
 * "Block this certificate" and its dialog (reason, match by fingerprint or issuer + serial). Admins only. `blocked`:
 * the badge Blocked instead of the button — but not while the dialog is open, so the dialog that just blocked the
 * certificate stays to say so when the list re-renders under it.
 */
export function BlockCertificateButton({ target, source, label, size = "sm", describedById, blocked = false }: { target: BlockTarget; source: "access_log" | "test_mtls" | "certificate"; label: string; size?: "sm" | "md"; describedById?: string; blocked?: boolean }) {
  const [open, setOpen] = useState(0);
  if (blocked && open === 0) return <Badge tone="red">Blocked</Badge>;
  return (
    <>
      <Button size={size} variant="danger" onClick={() => setOpen((n) => n + 1)} aria-describedby={describedById}>
        Block this certificate
      </Button>
      {/* A fresh dialog (and action state) per opening. */}
      {open > 0 ? <BlockDialog key={open} target={target} source={source} label={label} onClose={() => setOpen(0)} /> : null}
    </>
  );
}
