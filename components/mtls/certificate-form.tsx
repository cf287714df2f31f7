"use client";

import { useActionState, useEffect, useState, type DragEvent, type FormEvent } from "react";
import { useRouter } from "next/navigation";
import { createCertificateAction } from "@/app/(console)/access-controls/service-credentials/mutual-tls/actions";
import { describedBy, Field, Input, Textarea } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionState } from "@/lib/actions/action-state";
import type { CertificateDto } from "@/lib/domain/certificate-queries";
import { HostnameInput } from "./hostname-input";
import { ChainInspector } from "./inspector/chain-inspector";
import { useChainInspection } from "./inspector/use-chain-inspection";
import { PRIVATE_KEY_BLOCK, PRIVATE_KEY_REFUSAL, readCertificateFile } from "./read-certificate-file";

export const MTLS_LIST_PATH = "/access-controls/service-credentials/mutual-tls";

/**
 * Add an mTLS certificate: Name, Certificate content (paste, drop or upload; PEM or DER), Associated hostnames,
 * optional CRL, with the live chain inspector beside it. Reused by the guided setup through `onSaved`.
 */
export function CertificateForm({ onSaved, idPrefix = "certificate" }: { onSaved?: (dto: CertificateDto) => void; idPrefix?: string }) {
  const router = useRouter();
  const [state, action] = useActionState<ActionState<CertificateDto> | null, FormData>(createCertificateAction, null);
  const [name, setName] = useState("");
  const [content, setContent] = useState("");
  const [crl, setCrl] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string[]>>({});
  const [dragging, setDragging] = useState(false);
  const inspection = useChainInspection(content);

  useEffect(() => {
    if (!state?.ok || !state.data) return;
    if (onSaved) onSaved(state.data);
    else router.push(`${MTLS_LIST_PATH}?added=${encodeURIComponent(state.data.id)}`);
  }, [state, onSaved, router]);

  const fe = { ...(state && !state.ok ? state.fieldErrors : {}), ...localErrors };
  const ids = { name: `${idPrefix}-name`, content: `${idPrefix}-content`, file: `${idPrefix}-file`, hosts: `${idPrefix}-hostnames`, crl: `${idPrefix}-crl` };

  const load = async (file: File | undefined) => {
    if (!file) return;
    try {
      setContent(await readCertificateFile(file));
      setLocalErrors({});
    } catch (e) {
      setLocalErrors({ certificate: [e instanceof Error ? e.message : "The file could not be read."] });
    }
  };
  const onDrop = (e: DragEvent<HTMLTextAreaElement>) => {
    if (!e.dataTransfer.files.length) return;
    e.preventDefault();
    setDragging(false);
    void load(e.dataTransfer.files[0]);
  };
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    const errs: Record<string, string[]> = {};
    if (PRIVATE_KEY_BLOCK.test(content)) errs.certificate = [PRIVATE_KEY_REFUSAL];
    if (PRIVATE_KEY_BLOCK.test(crl)) errs.crl = [PRIVATE_KEY_REFUSAL];
    setLocalErrors(errs);
    // Nothing holding a private key is ever sent to the server.
    if (Object.keys(errs).length) e.preventDefault();
  };

  return (
    <div className="grid grid-cols-1 gap-6 xl:grid-cols-[minmax(0,5fr)_minmax(0,6fr)]">
      <form action={action} onSubmit={onSubmit} noValidate className="space-y-4">
        {state && !state.ok && state.message ? <Notice tone="error">{state.message}</Notice> : null}
        {Object.keys(localErrors).length ? <Notice tone="error">{PRIVATE_KEY_REFUSAL}</Notice> : null}
        <Field id={ids.name} label="Name" hint="Any name for this CA, e.g. the root's common name (at most 350 characters)." errors={fe.name}>
          <Input
            id={ids.name}
            name="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={350}
            aria-invalid={!!fe.name}
            aria-describedby={describedBy(ids.name, { hint: true, errors: fe.name })}
          />
        </Field>
        <Field
          id={ids.content}
          label="Certificate content"
          hint="PEM: the intermediate certificate(s) first, then the root. Paste, drop a file here, or upload below. Never paste a private key."
          errors={fe.certificate}
        >
          <Textarea
            id={ids.content}
            name="certificate"
            value={content}
            onChange={(e) => setContent(e.target.value)}
            onDragOver={(e) => {
              if (e.dataTransfer.types.includes("Files")) {
                e.preventDefault();
                setDragging(true);
              }
            }}
            onDragLeave={() => setDragging(false)}
            onDrop={onDrop}
            rows={12}
            spellCheck={false}
            autoComplete="off"
            placeholder={"-----BEGIN CERTIFICATE-----\n<intermediate.pem>\n-----END CERTIFICATE-----\n-----BEGIN CERTIFICATE-----\n<rootCA.pem>\n-----END CERTIFICATE-----"}
            aria-invalid={!!fe.certificate}
            aria-describedby={describedBy(ids.content, { hint: true, errors: fe.certificate })}
            className={dragging ? "ring-2 ring-brand-500" : undefined}
          />
        </Field>
        <Field id={ids.file} label="Upload certificate file" hint="PEM (.pem, .crt) or DER (.der, .cer); the text box above shows what will be saved.">
          <input
            id={ids.file}
            type="file"
            accept=".pem,.crt,.cer,.der,.txt,application/x-x509-ca-cert,application/x-pem-file"
            onChange={(e) => void load(e.target.files?.[0])}
            aria-describedby={`${ids.file}-hint`}
            className="block w-full text-sm file:mr-3 file:rounded-md file:border-0 file:bg-slate-100 file:px-3 file:py-1.5 file:text-sm file:font-medium hover:file:bg-slate-200 dark:file:bg-slate-800"
          />
        </Field>
        <Field
          id={ids.hosts}
          label="Associated hostnames"
          hint="Fully-qualified domain names that use this CA, e.g. auth.example.com. Press Enter or type a comma to add one; paste a list to add many."
          errors={fe.associated_hostnames}
        >
          <HostnameInput id={ids.hosts} errors={fe.associated_hostnames} describedBy={describedBy(ids.hosts, { hint: true, errors: fe.associated_hostnames })} />
        </Field>
        <details className="rounded-md border border-slate-200 p-3 dark:border-slate-800" open={!!crl || !!fe.crl}>
          <summary className="cursor-pointer text-sm font-medium">Certificate revocation list (optional)</summary>
          <Field id={ids.crl} label="CRL content" hint="A PEM CRL (-----BEGIN X509 CRL-----) signed by a CA of this chain." errors={fe.crl} className="mt-2">
            <Textarea id={ids.crl} name="crl" value={crl} onChange={(e) => setCrl(e.target.value)} rows={4} spellCheck={false} aria-describedby={describedBy(ids.crl, { hint: true, errors: fe.crl })} />
          </Field>
        </details>
        <SubmitButton pendingText="Saving…">Save</SubmitButton>
      </form>
      <div className="min-w-0">
        <ChainInspector inspection={inspection} onReorder={setContent} />
      </div>
    </div>
  );
}
