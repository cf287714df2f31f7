"use client";

import { useActionState, useState } from "react";
import { updateCertificateAction } from "@/lib/actions/certificates";
import { describedBy, Field, Input } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionState } from "@/lib/actions/action-state";
import type { CertificateDto } from "@/lib/domain/certificates/queries";
import type { ImpactedApp } from "./delete-certificate-button";
import { HostnameInput } from "./hostname-input";

/**
 * Name and associated hostnames (the only things an update changes, as in Cloudflare). `impact` lists the
 * applications that rely on this certificate alone for their hostname; removing that hostname warns live.
 */
export function ConfigureForm({ cert, impact, canEdit }: { cert: CertificateDto; impact: ImpactedApp[]; canEdit: boolean }) {
  const [state, action] = useActionState<ActionState<CertificateDto> | null, FormData>(updateCertificateAction, null);
  const [hostnames, setHostnames] = useState(cert.associated_hostnames);
  const saved = state?.ok ? state.data : null;
  const fe = state && !state.ok ? (state.fieldErrors ?? {}) : {};
  const atRisk = impact.filter((a) => !hostnames.includes(a.hostname));
  return (
    <form action={action} noValidate className="space-y-4">
      <input type="hidden" name="id" value={cert.id} />
      <input type="hidden" name="version" value={saved?.version ?? cert.version} />
      {state?.ok ? <Notice tone="success">{state.message}</Notice> : null}
      {state?.ok && state.warnings?.length ? (
        <Notice tone="warning">
          {state.warnings.map((w) => (
            <p key={w}>{w}</p>
          ))}
        </Notice>
      ) : null}
      {state && !state.ok ? <Notice tone="error">{state.message}</Notice> : null}
      <Field id="configure-name" label="Name" errors={fe.name}>
        <Input
          id="configure-name"
          name="name"
          defaultValue={state && !state.ok ? (state.values?.name ?? cert.name) : (saved?.name ?? cert.name)}
          maxLength={350}
          readOnly={!canEdit}
          aria-invalid={!!fe.name}
          aria-describedby={describedBy("configure-name", { errors: fe.name })}
        />
      </Field>
      <Field
        id="configure-hostnames"
        label="Associated hostnames"
        hint={canEdit ? "Press Enter or type a comma to add a hostname; paste a list to add many." : undefined}
        errors={fe.associated_hostnames}
      >
        <HostnameInput
          id="configure-hostnames"
          defaultValue={cert.associated_hostnames}
          onChange={setHostnames}
          errors={fe.associated_hostnames}
          disabled={!canEdit}
          describedBy={describedBy("configure-hostnames", { hint: canEdit, errors: fe.associated_hostnames })}
        />
      </Field>
      {atRisk.length && canEdit ? (
        <Notice tone="warning">
          Without {atRisk.length === 1 ? "this hostname" : "these hostnames"}, the certificate rules (Valid Certificate / Common Name) of{" "}
          {atRisk.map((a) => `${a.name} (${a.hostname})`).join(", ")} can no longer match: no other mTLS certificate covers{" "}
          {atRisk.length === 1 ? "its hostname" : "their hostnames"}.
        </Notice>
      ) : null}
      {canEdit ? <SubmitButton pendingText="Saving…">Save</SubmitButton> : null}
    </form>
  );
}
