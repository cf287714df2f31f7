"use client";

import { startTransition, useActionState, useState, useSyncExternalStore, type FormEvent } from "react";
import { testMtlsAction } from "@/lib/actions/test-mtls";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, Select, Textarea } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { readCertificateFile } from "./read-file";
import { BlockCertificateButton } from "../blocked-certificates/block-button";
import { TestResult } from "./result";

export interface AppOption {
  id: string;
  name: string;
  /** The application's domain with its optional path, e.g. `app.example.com/admin`. */
  domain: string;
}

/**
 * Values to start the form with, e.g. from the page's query parameters or from an access-log row to
 * explain. `at` is an ISO 8601 instant (shown in the browser's time zone); `applicationId` must be one of
 * `applications` (else it is ignored); `certificate` is the PEM leaf followed by the intermediates the
 * client sent. The form is not submitted by itself: the admin reviews the values and presses Test.
 */
export interface TestMtlsInitial {
  url?: string;
  hostname?: string;
  applicationId?: string;
  certificate?: string;
  at?: string;
  ip?: string;
  /** a service token's ID or Client ID, to test as if its holder presented it */
  serviceToken?: string;
  /** test as if signed in at the gateway as this email */
  email?: string;
}

/** The address an application answers on, for the URL box (none for a wildcard domain: no one host to name). */
export const applicationUrl = (a: AppOption) => (a.domain.startsWith("*.") ? "" : `https://${a.domain}`);

/** An ISO instant as the value of a datetime-local input (the browser's local time, to the second). */
function localDateTime(iso: string | undefined): string {
  const d = iso ? new Date(iso) : null;
  if (!d || Number.isNaN(d.getTime())) return "";
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}

const noSubscription = () => () => {};

/** The host part of what is typed in the URL box, to show in the Hostname box (null while it is no URL yet). */
function hostOf(url: string): string | null {
  try {
    return new URL(url.trim()).hostname || null;
  } catch {
    return null;
  }
}

/**
 * URL (or Application, or Hostname), the client certificate (paste or file), an optional time and client
 * IP, and the result. Choosing an application fills the URL with its address; editing the URL away from
 * it clears the choice, so what is tested is always what the URL box shows.
 */
export function TestMtlsForm({ applications, initial = {}, canBlock = false }: { applications: AppOption[]; initial?: TestMtlsInitial; canBlock?: boolean }) {
  const [state, formAction, pending] = useActionState(testMtlsAction, null);
  // The certificate the shown result is of (the box may be edited after Test): what Block this certificate blocks.
  const [tested, setTested] = useState("");
  const initialApp = applications.find((a) => a.id === initial.applicationId);
  const [appId, setAppId] = useState(initialApp?.id ?? "");
  const [url, setUrl] = useState(initial.url ?? (initialApp ? applicationUrl(initialApp) : ""));
  const [hostname, setHostname] = useState(initial.hostname ?? "");
  const [certificate, setCertificate] = useState(initial.certificate ?? "");
  const [fileNote, setFileNote] = useState<string | null>(null);
  // The local time depends on the browser's zone, so a prefilled time shows only once hydrated (the server
  // renders it empty); null = not edited yet.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);
  const [atEdited, setAt] = useState<string | null>(null);
  const at = atEdited ?? (hydrated ? localDateTime(initial.at) : "");
  const [ip, setIp] = useState(initial.ip ?? "");
  const [serviceToken, setServiceToken] = useState(initial.serviceToken ?? "");
  const [email, setEmail] = useState(initial.email ?? "");
  const app = applications.find((a) => a.id === appId);
  const urlHost = url.trim() ? hostOf(url) : null;
  const errs = state && !state.ok ? (state.fieldErrors ?? {}) : {};

  function chooseApplication(id: string) {
    setAppId(id);
    const a = applications.find((x) => x.id === id);
    setUrl(a ? applicationUrl(a) : "");
  }

  function editUrl(value: string) {
    setUrl(value);
    if (app && value.trim() !== applicationUrl(app)) setAppId("");
  }

  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const fd = new FormData();
    if (appId) fd.set("application_id", appId);
    if (url.trim()) fd.set("url", url.trim());
    else if (!appId) fd.set("hostname", hostname);
    fd.set("certificate", certificate);
    // datetime-local is the browser's local time; send an absolute instant.
    if (at) fd.set("at", new Date(at).toISOString());
    if (ip.trim()) fd.set("ip", ip.trim());
    if (serviceToken.trim()) fd.set("service_token_id", serviceToken.trim());
    if (email.trim()) fd.set("email", email.trim());
    setTested(certificate);
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
      <form onSubmit={submit} noValidate aria-label="Test a client certificate">
        {/* Disabled until hydrated: before that, Test would reload the page empty and typed values would be lost. */}
        <fieldset disabled={!hydrated} className="m-0 min-w-0 space-y-4 border-0 p-0">
          <Field id="tm-application" label="Application" hint="Fills the URL with the application's address; its hostname, path and policies are used." errors={errs.application_id}>
            <Select
              id="tm-application"
              value={appId}
              onChange={(e) => chooseApplication(e.target.value)}
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
          <Field id="tm-url" label="URL" hint="The full address the client requests; its path selects the application." errors={errs.url}>
            <Input
              id="tm-url"
              type="url"
              value={url}
              onChange={(e) => editUrl(e.target.value)}
              placeholder="https://app.example.com/admin"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errs.url ? true : undefined}
              aria-describedby={describedBy("tm-url", { hint: true, errors: errs.url })}
            />
          </Field>
          <Field
            id="tm-hostname"
            label="Hostname"
            hint={
              app
                ? `Using ${app.name}'s hostname.`
                : urlHost
                  ? "Using the URL's hostname."
                  : "The hostname the client connects to, e.g. auth.example.com (or enter a URL above)."
            }
            errors={errs.hostname}
          >
            <Input
              id="tm-hostname"
              value={app ? app.domain.split("/")[0] : (urlHost ?? hostname)}
              disabled={!!app || !!urlHost}
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
          <Field id="tm-ip" label="Client IP" hint="Optional: the address the request comes from, for IP range rules." errors={errs.ip}>
            <Input
              id="tm-ip"
              value={ip}
              onChange={(e) => setIp(e.target.value)}
              placeholder="203.0.113.7"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errs.ip ? true : undefined}
              aria-describedby={describedBy("tm-ip", { hint: true, errors: errs.ip })}
            />
          </Field>
          <Field
            id="tm-service-token"
            label="Service token"
            hint="Optional: a service token's ID or Client ID, to test as if the request sent its CF-Access-Client-Id and Client Secret."
            errors={errs.service_token_id}
          >
            <Input
              id="tm-service-token"
              value={serviceToken}
              onChange={(e) => setServiceToken(e.target.value)}
              placeholder="88bf3b6d86161464f6509f7219099e57.access"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errs.service_token_id ? true : undefined}
              aria-describedby={describedBy("tm-service-token", { hint: true, errors: errs.service_token_id })}
            />
          </Field>
          <Field id="tm-email" label="Email" hint="Optional: test as if signed in at the gateway as this person, for Emails and Emails ending in rules." errors={errs.email}>
            <Input
              id="tm-email"
              type="email"
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              placeholder="someone@example.com"
              autoComplete="off"
              spellCheck={false}
              aria-invalid={errs.email ? true : undefined}
              aria-describedby={describedBy("tm-email", { hint: true, errors: errs.email })}
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
          </fieldset>
      </form>
      {state?.ok && state.data ? (
        <div className="space-y-3">
          <TestResult result={state.data} />
          {canBlock && state.data.certificate.leaf && tested ? (
            <BlockCertificateButton target={{ certificate: tested }} source="test_mtls" size="md" label={state.data.certificate.leaf.subject || "the tested certificate"} />
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
