"use client";

import { useState } from "react";
import { issueClientCertificateAction } from "@/lib/actions/client-certificates";
import type { ActionState } from "@/lib/actions/action-state";
import { DEFAULT_VALIDITY_DAYS, MAX_LABEL_LENGTH, VALIDITY_CHOICES, type ClientCertificateView } from "@/lib/domain/client-certificates/view";
import { commonNameProblem, DEFAULT_KEY_CHOICE, generateKeyAndCsr, KEY_CHOICES, MAX_COMMON_NAME, type KeyChoice } from "@/lib/pki/keygen";
import { readCertificateFile } from "../mtls/read-certificate-file";
import { Button } from "../ui/button";
import { describedBy, Field, Input, Select, Textarea } from "../ui/field";
import { Notice } from "../ui/notice";
import { SubmitCancel } from "../ui/form-buttons";
import { useCreateForm } from "../ui/use-create-form";
import { IssuedCertificateResult, type BrowserKey } from "./issued-certificate";

type IssueState = ActionState<ClientCertificateView>;

/** The typed values of a refused form, so that nothing typed is lost. */
const typedValues = (form: FormData) => Object.fromEntries([...form.entries()].filter((e): e is [string, string] => typeof e[1] === "string"));

/**
 * Create client certificate: paste or upload a CSR, or press **Generate a key in the browser** to have WebCrypto
 * make the key pair and its CSR here. Only the CSR, the validity and the label are sent: the key stays in this
 * page's memory for the downloads that follow.
 */
export function ClientCertificateCreateForm() {
  const [generate, setGenerate] = useState(false);
  const [browserKey, setBrowserKey] = useState<BrowserKey | null>(null);
  const [fileError, setFileError] = useState<string | null>(null);
  // An uploaded file's text replaces the CSR box's (a fresh box per upload); a submit hands the box back to the form.
  const [uploaded, setUploaded] = useState<{ text: string; n: number } | null>(null);

  const { open, setOpen, state, action, fieldErrors: fe, values: v, created } = useCreateForm(async (prev: IssueState | null, form: FormData): Promise<IssueState> => {
    const commonName = String(form.get("common_name") ?? "");
    const keyType = String(form.get("key_type") ?? DEFAULT_KEY_CHOICE) as KeyChoice;
    // What the server receives: never the key, nor the fields that only shape it.
    form.delete("common_name");
    form.delete("key_type");
    let key: BrowserKey | null = null;
    if (form.get("source") === "generate") {
      const refused = (message: string, field?: string) => ({ ok: false, message, fieldErrors: field ? { [field]: [message] } : undefined, values: { ...typedValues(form), common_name: commonName, key_type: keyType } });
      const problem = commonNameProblem(commonName.trim());
      if (problem) return refused(problem, "common_name");
      try {
        const made = await generateKeyAndCsr({ keyType, commonName });
        form.set("csr", made.csrPem);
        key = { privateKeyDer: made.privateKeyDer, privateKeyPem: made.privateKeyPem };
      } catch (err) {
        return refused(err instanceof Error ? err.message : "The key could not be generated in this browser.");
      }
    }
    form.delete("source");
    setUploaded(null);
    const next = await issueClientCertificateAction(prev, form);
    setBrowserKey(next.ok ? key : null);
    return next.ok ? next : { ...next, values: { ...next.values, common_name: commonName, key_type: keyType } };
  });

  async function upload(file: File | undefined) {
    setFileError(null);
    if (!file) return;
    try {
      const text = await readCertificateFile(file, "CERTIFICATE REQUEST");
      setUploaded((u) => ({ text, n: (u?.n ?? 0) + 1 }));
    } catch (err) {
      setFileError(err instanceof Error ? err.message : "The file could not be read.");
    }
  }

  return (
    <div className="mb-6 space-y-3">
      {created ? <IssuedCertificateResult key={created.id} certificate={created} browserKey={browserKey} message={state?.message} /> : null}
      {!open ? (
        <Button onClick={() => setOpen(true)}>Create client certificate</Button>
      ) : (
        <form action={action} noValidate aria-label="Create client certificate" className="grid grid-cols-1 gap-3 rounded-md border border-slate-200 p-4 sm:grid-cols-2 dark:border-slate-700">
          {state && !state.ok ? <Notice tone="error" className="sm:col-span-2">{state.message}</Notice> : null}
          <input type="hidden" name="source" value={generate ? "generate" : "csr"} />
          <div className="space-y-2 sm:col-span-2">
            <Button variant="secondary" aria-pressed={generate} onClick={() => setGenerate((g) => !g)}>
              Generate a key in the browser
            </Button>
            <p className="text-xs text-slate-600 dark:text-slate-300">
              {generate
                ? "A key pair and its CSR are made in this browser when you create the certificate. Only the CSR is sent; download the key or a PKCS#12 file afterwards."
                : "Or paste the certificate signing request made where the key lives (for example openssl req -new)."}
            </p>
          </div>
          {generate ? (
            <>
              <Field id="client-certificate-cn" label="Common Name" hint="Optional: the device or service the certificate names (CN)." errors={fe.common_name}>
                <Input id="client-certificate-cn" name="common_name" maxLength={MAX_COMMON_NAME} defaultValue={v.common_name} key={`cn${v.common_name}`} aria-invalid={!!fe.common_name} aria-describedby={describedBy("client-certificate-cn", { hint: true, errors: fe.common_name })} />
              </Field>
              <Field id="client-certificate-key-type" label="Key type">
                <Select id="client-certificate-key-type" name="key_type" defaultValue={v.key_type ?? DEFAULT_KEY_CHOICE} key={`k${v.key_type}`}>
                  {KEY_CHOICES.map((c) => (
                    <option key={c.value} value={c.value}>
                      {c.label}
                    </option>
                  ))}
                </Select>
              </Field>
            </>
          ) : (
            <div className="space-y-2 sm:col-span-2">
              <Field id="client-certificate-csr" label="CSR" hint="PEM (-----BEGIN CERTIFICATE REQUEST-----). Key types and sizes as for CA uploads." errors={fe.csr}>
                <Textarea id="client-certificate-csr" name="csr" rows={8} spellCheck={false} defaultValue={uploaded?.text ?? v.csr} key={`c${v.csr?.length}-${uploaded?.n}`} aria-invalid={!!fe.csr} aria-describedby={describedBy("client-certificate-csr", { hint: true, errors: fe.csr })} />
              </Field>
              <label htmlFor="client-certificate-csr-file" className="block text-sm font-medium">
                Upload CSR file
              </label>
              <input id="client-certificate-csr-file" type="file" accept=".csr,.pem,.req,.der,text/plain" onChange={(e) => upload(e.target.files?.[0])} className="text-sm" />
              {fileError ? <Notice tone="error">{fileError}</Notice> : null}
            </div>
          )}
          <Field id="client-certificate-validity" label="Validity" hint="How long the certificate is valid from now." errors={fe.validity_days}>
            <Select id="client-certificate-validity" name="validity_days" defaultValue={v.validity_days ?? String(DEFAULT_VALIDITY_DAYS)} key={`v${v.validity_days}`} aria-invalid={!!fe.validity_days} aria-describedby={describedBy("client-certificate-validity", { hint: true, errors: fe.validity_days })}>
              {VALIDITY_CHOICES.map((c) => (
                <option key={c.days} value={c.days}>
                  {c.label}
                </option>
              ))}
            </Select>
          </Field>
          <Field id="client-certificate-label" label="Label" hint="Free text to find the certificate again, e.g. the device it is for." errors={fe.label}>
            <Input id="client-certificate-label" name="label" maxLength={MAX_LABEL_LENGTH} defaultValue={v.label} key={`l${v.label}`} aria-invalid={!!fe.label} aria-describedby={describedBy("client-certificate-label", { hint: true, errors: fe.label })} />
          </Field>
          <SubmitCancel pendingText="Creating…" onCancel={() => setOpen(false)} className="sm:col-span-2">
            Create
          </SubmitCancel>
        </form>
      )}
    </div>
  );
}
