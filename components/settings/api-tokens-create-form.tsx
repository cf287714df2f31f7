"use client";

import { createApiTokenAction } from "@/lib/actions/api-tokens";
import { Button } from "../ui/button";
import { CopyField } from "../ui/copy-field";
import { describedBy, Field, Input, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitCancel } from "../ui/form-buttons";
import { useCreateForm } from "../ui/use-create-form";

/** Create form + the new token, shown once in a read-only textbox with a Copy button. */
export function ApiTokenCreateForm() {
  const { open, setOpen, state, action, fieldErrors: fe, values: v, created } = useCreateForm(createApiTokenAction);
  const secret = created?.secret;

  return (
    <div className="space-y-3">
      {secret ? (
        <div className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
          <Notice tone="success">{state?.message}</Notice>
          <CopyField id="new-api-token" label="New API token" value={secret} focus />
        </div>
      ) : null}
      {!open ? (
        <Button onClick={() => setOpen(true)}>Create API token</Button>
      ) : (
        <form action={action} noValidate className="grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-3 dark:border-slate-700">
          {state && !state.ok ? <Notice tone="error" className="sm:col-span-3">{state.message}</Notice> : null}
          <Field id="token-name" label="Token name" errors={fe.name}>
            <Input id="token-name" name="name" maxLength={100} defaultValue={v.name} key={`n${v.name}`} aria-invalid={!!fe.name} aria-describedby={describedBy("token-name", { errors: fe.name })} />
          </Field>
          <Field id="token-permission" label="Permission" errors={fe.permission}>
            <Select id="token-permission" name="permission" defaultValue={v.permission ?? "read"} key={`p${v.permission}`} aria-invalid={!!fe.permission}>
              <option value="read">Read</option>
              <option value="edit">Edit</option>
            </Select>
          </Field>
          <Field id="token-expires" label="Expires (optional)" hint="Last day the token works (UTC). Leave empty for no expiry." errors={fe.expires_at}>
            <Input
              id="token-expires"
              name="expires_at"
              type="date"
              defaultValue={v.expires_at}
              key={`x${v.expires_at}`}
              aria-invalid={!!fe.expires_at}
              aria-describedby={describedBy("token-expires", { hint: true, errors: fe.expires_at })}
            />
          </Field>
          <SubmitCancel pendingText="Creating…" onCancel={() => setOpen(false)} className="sm:col-span-3">
            Create
          </SubmitCancel>
        </form>
      )}
    </div>
  );
}
