"use client";

import { createServiceTokenAction } from "@/lib/actions/service-tokens";
import { DEFAULT_DURATION, DURATION_CHOICES } from "@/lib/domain/service-tokens/choices";
import { Button } from "../ui/button";
import { describedBy, Field, Input, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitCancel } from "../ui/form-buttons";
import { CopyField } from "../ui/copy-field";
import { useCreateForm } from "../ui/use-create-form";

/**
 * Create Service Token → name and Service Token Duration → Generate token; then the Client ID and the Client
 * Secret, shown once, each in a read-only textbox with a Copy button.
 */
export function ServiceTokenCreateForm() {
  const { open, setOpen, state, action, fieldErrors: fe, values: v, created } = useCreateForm(createServiceTokenAction);

  return (
    <div className="mb-6 space-y-3">
      {created ? (
        <section aria-label="New service token" className="space-y-3 rounded-md border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
          <Notice tone="success">{state?.message}</Notice>
          <CopyField id="new-service-token-client-id" label="Client ID" value={created.client_id} hint="Send it in the CF-Access-Client-Id request header." />
          <CopyField
            id="new-service-token-client-secret"
            label="Client Secret"
            value={created.client_secret}
            focus
            hint="Send it in the CF-Access-Client-Secret request header. This is the only time it is shown: only its SHA-256 is stored."
          />
          <pre className="overflow-x-auto rounded bg-white p-2 font-mono text-xs text-slate-800 dark:bg-slate-900 dark:text-slate-100">
            {`curl -H "CF-Access-Client-Id: ${created.client_id}" \\\n     -H "CF-Access-Client-Secret: <Client Secret>" https://app.example.com/`}
          </pre>
        </section>
      ) : null}
      {!open ? (
        <Button onClick={() => setOpen(true)}>Create Service Token</Button>
      ) : (
        <form action={action} noValidate aria-label="Create Service Token" className="grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-2 dark:border-slate-700">
          {state && !state.ok ? <Notice tone="error" className="sm:col-span-2">{state.message}</Notice> : null}
          <Field id="service-token-name" label="Service token name" hint="Names the token in the logs; a policy refers to it by its ID." errors={fe.name}>
            <Input
              id="service-token-name"
              name="name"
              maxLength={350}
              required
              defaultValue={v.name}
              key={`n${v.name}`}
              aria-invalid={!!fe.name}
              aria-describedby={describedBy("service-token-name", { hint: true, errors: fe.name })}
            />
          </Field>
          <Field id="service-token-duration" label="Service Token Duration" hint="When the token stops working; Refresh extends it by the same duration." errors={fe.duration}>
            <Select
              id="service-token-duration"
              name="duration"
              defaultValue={v.duration ?? DEFAULT_DURATION}
              key={`d${v.duration}`}
              aria-invalid={!!fe.duration}
              aria-describedby={describedBy("service-token-duration", { hint: true, errors: fe.duration })}
            >
              {DURATION_CHOICES.map((c) => (
                <option key={c.value} value={c.value}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
          <SubmitCancel pendingText="Generating…" onCancel={() => setOpen(false)} className="sm:col-span-2">
            Generate token
          </SubmitCancel>
        </form>
      )}
    </div>
  );
}
