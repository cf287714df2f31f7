"use client";

import { useActionState, useState } from "react";
import { deleteServiceTokenAction, refreshServiceTokenAction, rotateServiceTokenAction } from "@/lib/actions/service-tokens";
import { GRACE_CHOICES } from "@/lib/domain/service-tokens/choices";
import type { ServiceTokenDto } from "@/lib/domain/service-tokens";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { ConfirmDialog } from "../ui/confirm-dialog";
import { Dialog } from "../ui/dialog";
import { Field, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";
import { Td } from "../ui/table";
import { CopyField } from "../ui/copy-field";

export type TokenStatus = "active" | "expired" | "disabled";
const STATUS: Record<TokenStatus, { label: string; tone: "green" | "red" | "neutral" }> = {
  active: { label: "Active", tone: "green" },
  expired: { label: "Expired", tone: "red" },
  disabled: { label: "Disabled", tone: "neutral" },
};

export const fmtUtc = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** Rotate secret: how long the current secret keeps working (revoke immediately by default), then the new one once. */
function RotateDialog({ token, onClose }: { token: ServiceTokenDto; onClose: () => void }) {
  const [state, action] = useActionState(rotateServiceTokenAction, null);
  const rotated = state?.ok ? state.data : undefined;
  return (
    <Dialog open onClose={onClose} title="Rotate secret">
      {rotated ? (
        <div className="space-y-3 text-sm">
          <Notice tone="success">{state?.message}</Notice>
          <CopyField id={`rotated-secret-${token.id}`} label="Client Secret" value={rotated.client_secret} focus hint="The Client ID stays the same. This is the only time the new secret is shown." />
          <div className="flex justify-end">
            <Button onClick={onClose}>Close</Button>
          </div>
        </div>
      ) : (
        <form action={action} className="space-y-3 text-sm">
          <input type="hidden" name="id" value={token.id} />
          <p>
            Generate a new Client Secret for <strong>{token.name}</strong>. The Client ID stays the same.
          </p>
          <Field id={`grace-${token.id}`} label="Keep the current secret valid for" hint="Both secrets work until then, so services can switch over.">
            <Select id={`grace-${token.id}`} name="grace_hours" defaultValue="0" aria-describedby={`grace-${token.id}-hint`}>
              {GRACE_CHOICES.map((c) => (
                <option key={c.hours} value={c.hours}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
          {state && !state.ok ? <Notice tone="error">{state.message}</Notice> : null}
          <div className="flex justify-end gap-2 pt-2">
            <Button variant="secondary" onClick={onClose}>
              Cancel
            </Button>
            <SubmitButton pendingText="Rotating…">Rotate</SubmitButton>
          </div>
        </form>
      )}
    </Dialog>
  );
}

/** One service token: Refresh (valid for its duration again), Rotate (new secret), Delete. */
export function ServiceTokenRow({ token, status, canEdit }: { token: ServiceTokenDto; status: TokenStatus; canEdit: boolean }) {
  const [rotating, setRotating] = useState(0);
  const [deleting, setDeleting] = useState(false);
  const [refreshed, refresh] = useActionState(refreshServiceTokenAction, null);
  const [deleted, remove] = useActionState(deleteServiceTokenAction, null);
  const s = STATUS[status];
  const nameId = `service-token-${token.id}`;
  return (
    <tr>
      <Td>
        <span className="font-medium" id={nameId}>
          {token.name}
        </span>
        {/* The id is what a Service Token rule names (its Value). */}
        <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          Token ID <code className="font-mono select-all">{token.id}</code>
        </p>
      </Td>
      <Td className="font-mono text-xs break-all">{token.client_id}</Td>
      <Td>
        {token.expires_at ? fmtUtc(token.expires_at) : "Never"}
        {token.previous_client_secret_expires_at ? (
          <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Previous secret works until {fmtUtc(token.previous_client_secret_expires_at)}</p>
        ) : null}
      </Td>
      <Td>
        <Badge tone={s.tone}>{s.label}</Badge>
      </Td>
      {/* Written by the gateway when the token authenticates a request, at most once a minute. */}
      <Td className="text-xs whitespace-nowrap">{token.last_seen_at ? fmtUtc(token.last_seen_at) : "Never"}</Td>
      {canEdit ? (
        <Td className="whitespace-nowrap text-right">
          <span className="inline-flex gap-2">
            <form action={refresh}>
              <input type="hidden" name="id" value={token.id} />
              <SubmitButton size="sm" variant="secondary" pendingText="Refreshing…" aria-describedby={nameId}>
                Refresh
              </SubmitButton>
            </form>
            <Button size="sm" variant="secondary" onClick={() => setRotating((n) => n + 1)} aria-describedby={nameId}>
              Rotate
            </Button>
            <Button size="sm" variant="danger" onClick={() => setDeleting(true)} aria-describedby={nameId}>
              Delete
            </Button>
          </span>
          {refreshed ? (
            <p role={refreshed.ok ? "status" : "alert"} className="mt-1 text-left text-xs whitespace-normal">
              {refreshed.message}
            </p>
          ) : null}
          {/* A fresh dialog (and action state) per opening: a shown secret never comes back. */}
          {rotating > 0 ? <RotateDialog key={rotating} token={token} onClose={() => setRotating(0)} /> : null}
          <ConfirmDialog
            open={deleting && !deleted?.ok}
            onClose={() => setDeleting(false)}
            title="Delete service token"
            fields={{ id: token.id }}
            action={remove}
            confirmLabel="Delete"
            pendingLabel="Deleting…"
            error={deleted && !deleted.ok ? deleted.message : null}
          >
            <p>
              Delete <strong>{token.name}</strong>? Requests that present it are refused (401) within a second, and Service Token rules that
              name it no longer match. This cannot be undone.
            </p>
          </ConfirmDialog>
        </Td>
      ) : null}
    </tr>
  );
}
