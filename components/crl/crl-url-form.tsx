"use client";

import { useActionState } from "react";
import { saveCrlUrlAction } from "@/lib/actions/revocation";
import type { CrlSource } from "@/lib/domain/crls/refresh";
import { describedBy, Field, Input } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { SubmitButton } from "@/components/ui/submit-button";
import { Warnings } from "./warnings";

const when = (iso: string | null | undefined) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "never");

/**
 * "Download the CRL from a URL": the CRL URL (prefilled from the CA's http(s) CRL Distribution Point), saved and
 * downloaded at once; the refresh state (last download, next one, the last error) under it.
 */
export function CrlUrlForm({ id, version, source, canEdit }: { id: string; version: number; source: CrlSource; canEdit: boolean }) {
  const [state, action] = useActionState(saveCrlUrlAction, null);
  const current = state?.ok && state.data ? state.data : source;
  const errors = state && !state.ok ? (state.fieldErrors?.crl_url ?? (state.message ? [state.message] : undefined)) : undefined;
  const r = current.refresh;
  const hint = current.url
    ? `Downloaded automatically (at half the time to its next update, at least hourly, at most daily). Last download: ${when(r?.lastSuccessAt)}; next: ${when(r?.nextAt)}.`
    : current.suggested
      ? "Suggested from the CA certificate's CRL Distribution Point. Save to download it now and keep it fresh; leave empty to upload CRLs by hand."
      : "An http or https URL; internal addresses are allowed. Leave empty to upload CRLs by hand.";
  return (
    <form action={action} className="max-w-2xl space-y-3" aria-label="Download the CRL from a URL">
      <input type="hidden" name="id" value={id} />
      <input type="hidden" name="version" value={version} />
      <Field id="crl-url" label="CRL URL" hint={hint} errors={errors}>
        <Input
          id="crl-url"
          name="crl_url"
          type="text"
          inputMode="url"
          defaultValue={current.url ?? current.suggested ?? ""}
          placeholder="http://pki.example.com/intermediate.crl"
          disabled={!canEdit}
          aria-invalid={errors ? true : undefined}
          aria-describedby={describedBy("crl-url", { hint: true, errors })}
        />
      </Field>
      {r?.lastError ? (
        <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          The last download failed ({when(r.lastAttemptAt)}): {r.lastError}. The last good CRL is kept.
        </div>
      ) : null}
      {state?.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {state?.ok ? <Warnings warnings={state.warnings} /> : null}
      {canEdit ? <SubmitButton pendingText="Saving…">Save URL</SubmitButton> : null}
    </form>
  );
}
