"use client";

import { useActionState } from "react";
import { saveNotificationsAction } from "@/lib/actions/notifications";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

/** Webhook URL with Save and Send test notification (both submit the typed URL; only Save stores it). */
export function NotificationsForm({ webhookUrl }: { webhookUrl: string }) {
  const [state, action] = useActionState(saveNotificationsAction, null);
  const fe = state?.fieldErrors ?? {};
  const value = state?.values?.webhookUrl ?? webhookUrl;
  const id = "notifications-webhook-url";
  return (
    <form action={action} noValidate className="max-w-2xl space-y-3 rounded-md border border-slate-200 p-4 dark:border-slate-700">
      {state ? <Notice tone={state.ok ? "success" : "error"}>{state.message}</Notice> : null}
      <Field
        id={id}
        label="Webhook URL"
        hint="An http:// or https:// address that accepts JSON POST requests. Leave empty to turn notifications off. Redirects are not followed."
        errors={fe.webhookUrl}
      >
        <Input
          id={id}
          name="webhookUrl"
          type="url"
          inputMode="url"
          autoComplete="off"
          placeholder="https://hooks.example.com/portcullis"
          defaultValue={value}
          key={value}
          aria-invalid={!!fe.webhookUrl}
          aria-describedby={describedBy(id, { hint: true, errors: fe.webhookUrl })}
        />
      </Field>
      <div className="flex flex-wrap gap-2">
        <SubmitButton name="intent" value="save" pendingText="Saving…">
          Save
        </SubmitButton>
        <SubmitButton name="intent" value="test" variant="secondary">
          Send test notification
        </SubmitButton>
      </div>
    </form>
  );
}
