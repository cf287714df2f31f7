"use client";

import { startTransition, useActionState, useState, type FormEvent } from "react";
import { testMtlsAction } from "@/app/(console)/access-controls/test/actions";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, Select, Textarea } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { readCertificateFile } from "./read-file";
import { TestResult } from "./result";

export interface AppOption {
  id: string;
  name: string;
  domain: string;
}

/** Application or hostname, the client certificate (paste or file), an optional time, and the result. */
export function TestMtlsForm({ applications }: { applications: AppOption[] }) {
  const [state, formAction, pending] = useActionState(testMtlsAction, null);
  const [appId, setAppId] = useState("");
  const [hostname, setHostname] = useState("");
  const [certificate, setCertificate] = useState("");
  const [fileNote, setFileNote] = useState<string | null>(null);
  const [at, setAt] = useState("");
  const app = applications.find((a) => a.id === appId);
  const errs = state && !state.ok ? (state.fieldErrors ?? {}) : {};

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData();
    if (appId) fd.set("application_id", appId);
    else fd.set("hostname", hostname);
    fd.set("certificate", certificate);
    // datetime-local is the browser's local time; send an absolute instant.
    if (at) fd.set("at", new Date(at).toISOString());
    startTransition(() => formAction(fd));
  }

  async function onFile(file: File | undefined) {
    if (!file) return;
    const r = await readCertificateFile(file);
    if (r.ok) {
      setCertificate(r.text);
      setFileNote(`Loaded ${file.name}${r.der ? " (DER, converted to base64)" : ""}.`);
    } else setFileNote(r.error);
  }

  return (
    <div className="grid gap-6 xl:grid-cols-[minmax(0,28rem)_minmax(0,1fr)]">
      <form onSubmit={submit} className="space-y-4" noValidate aria-label="Test a client certificate">
        <Field id="tm-application" label="Application" hint="The application's hostname and policies are used." errors={errs.application_id}>
          <Select
            id="tm-application"
            value={appId}
            onChange={(e) => setAppId(e.target.value)}
            aria-describedby={describedBy("tm-application", { hint: true, errors: errs.application_id })}
          >
            <option value="">None: test a hostname instead</option>
            {applications.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name} ({a.domain})
              </option>
            ))}
          </Select>
        </Field>
        <Field id="tm-hostname" label="Hostname" hint={app ? `Using ${app.name}'s hostname.` : "The hostname the client connects to, e.g. auth.example.com."} errors={errs.hostname}>
          <Input
            id="tm-hostname"
            value={app ? app.domain.split("/")[0] : hostname}
            disabled={!!app}
            onChange={(e) => setHostname(e.target.value)}
            placeholder="auth.example.com"
            autoComplete="off"
            aria-invalid={errs.hostname ? true : undefined}
            aria-describedby={describedBy("tm-hostname", { hint: true, errors: errs.hostname })}
          />
        </Field>
        <Field
          id="tm-certificate"
          label="Client certificate"
          hint="PEM: the client certificate, optionally followed by the intermediates the client sends. Never paste the private key."
          errors={errs.certificate}
        >
          <Textarea
            id="tm-certificate"
            rows={10}
            value={certificate}
            onChange={(e) => setCertificate(e.target.value)}
            placeholder="-----BEGIN CERTIFICATE-----"
            spellCheck={false}
            aria-invalid={errs.certificate ? true : undefined}
            aria-describedby={describedBy("tm-certificate", { hint: true, errors: errs.certificate })}
          />
        </Field>
        <Field id="tm-file" label="Upload client certificate" hint={fileNote ?? "A .pem, .crt, .cer or .der file."}>
          <input
            id="tm-file"
            type="file"
            accept=".pem,.crt,.cer,.der,application/x-x509-user-cert,application/pkix-cert"
            onChange={(e) => void onFile(e.target.files?.[0])}
            className="block text-sm"
            aria-describedby="tm-file-hint"
          />
        </Field>
        <Field id="tm-at" label="Validation time (optional)" hint="Check validity at another moment; empty means now." errors={errs.at}>
          <Input
            id="tm-at"
            type="datetime-local"
            step={1}
            value={at}
            onChange={(e) => setAt(e.target.value)}
            aria-describedby={describedBy("tm-at", { hint: true, errors: errs.at })}
          />
        </Field>
        {state && !state.ok && state.message && !Object.keys(errs).length ? <Notice tone="error">{state.message}</Notice> : null}
        <Button type="submit" disabled={pending} aria-disabled={pending}>
          Test
        </Button>
        {pending ? (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-400">
            Testing…
          </p>
        ) : null}
      </form>
      {state?.ok && state.data ? <TestResult result={state.data} /> : null}
    </div>
  );
}
