"use client";

import { useActionState, useEffect, useRef, useState } from "react";
import { createApiTokenAction } from "@/app/(console)/settings/token-actions";
import { Button } from "../ui/button";
import { cn } from "../ui/cn";
import { describedBy, Field, Input, inputClass, Select } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

/** Create form + the new token, shown once in a read-only textbox with a Copy button. */
export function ApiTokenCreateForm() {
  const [open, setOpen] = useState(false);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const [state, action] = useActionState(async (prev: Awaited<ReturnType<typeof createApiTokenAction>> | null, form: FormData) => {
    const next = await createApiTokenAction(prev, form);
    if (next.ok) {
      setOpen(false);
      setCopied(null);
    }
    return next;
  }, null);
  const secretRef = useRef<HTMLInputElement>(null);
  useEffect(() => {
    if (state?.ok) {
      secretRef.current?.focus();
      secretRef.current?.select();
    }
  }, [state]);
  const fe = state?.ok ? {} : (state?.fieldErrors ?? {});
  const v = state?.ok ? {} : (state?.values ?? {});
  const secret = state?.ok ? state.data?.secret : undefined;

  async function copy() {
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      setCopied("yes");
    } catch {
      secretRef.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div className="space-y-3">
      {secret ? (
        <div className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
          <Notice tone="success">{state?.message}</Notice>
          <label htmlFor="new-api-token" className="block text-sm font-medium">
            New API token
          </label>
          <div className="flex gap-2">
            <input id="new-api-token" ref={secretRef} readOnly value={secret} className={cn(inputClass, "font-mono")} onFocus={(e) => e.currentTarget.select()} />
            <Button variant="secondary" onClick={copy}>
              Copy
            </Button>
          </div>
          {copied === "yes" ? <p role="status" className="text-xs text-emerald-800 dark:text-emerald-200">Copied to the clipboard.</p> : null}
          {copied === "failed" ? <p role="status" className="text-xs">The browser refused clipboard access; the token is selected — press Ctrl+C.</p> : null}
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
          <div className="flex gap-2 sm:col-span-3">
            <SubmitButton pendingText="Creating…">Create</SubmitButton>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
    </div>
  );
}
