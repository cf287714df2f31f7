"use client";

import { useActionState } from "react";
import { blockCertificateAction } from "@/lib/actions/blocked-certificates";
import { describedBy, Field, Input } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitButton } from "../ui/submit-button";

/** Block a certificate that is not at hand: by its SHA-256 fingerprint, or by issuer and serial number. */
export function BlockByHandForm() {
  const [state, action] = useActionState(blockCertificateAction, null);
  const errors = state && !state.ok ? state.fieldErrors : undefined;
  const v = state && !state.ok ? state.values : undefined;
  const input = (id: string, name: string, label: string, hint?: string, placeholder?: string) => (
    <Field id={id} label={label} hint={hint} errors={errors?.[name]}>
      <Input id={id} name={name} defaultValue={v?.[name] ?? ""} placeholder={placeholder} aria-invalid={!!errors?.[name]} aria-describedby={describedBy(id, { hint: !!hint, errors: errors?.[name] })} />
    </Field>
  );
  return (
    <form action={action} className="space-y-3" aria-labelledby="block-by-hand">
      <h2 id="block-by-hand" className="text-base font-semibold">
        Block a certificate by fingerprint or serial number
      </h2>
      <input type="hidden" name="source" value="console" />
      {input("block-sha256", "sha256", "SHA-256 fingerprint", "64 hexadecimal digits, colons allowed. Leave empty to block by issuer and serial number.")}
      <div className="grid gap-3 sm:grid-cols-2">
        {input("block-issuer", "issuer", "Issuer", "As openssl or the console prints it.", "CN=Example Client CA, O=Example")}
        {input("block-serial", "serial_number", "Serial number", undefined, "0A:1B:2C")}
      </div>
      {input("block-reason", "reason", "Reason", "Shown in the access log and on the gateway's 403 page.")}
      {state ? <Notice tone={state.ok ? "success" : "error"}>{state.message}</Notice> : null}
      <SubmitButton variant="danger" pendingText="Blocking…">
        Block certificate
      </SubmitButton>
    </form>
  );
}
