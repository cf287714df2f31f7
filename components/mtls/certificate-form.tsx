"use client";

import { useActionState, useEffect, useMemo, useState, type DragEvent, type FormEvent, type KeyboardEvent } from "react";
import { useRouter } from "next/navigation";
import { createCertificateAction } from "@/lib/actions/certificates";
import { Button } from "@/components/ui/button";
import { describedBy, Field, Input, Textarea } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { SubmitButton } from "@/components/ui/submit-button";
import type { ActionState } from "@/lib/actions/action-state";
import type { CertificateDto } from "@/lib/domain/certificates/queries";
import { HostnameInput } from "./hostname-input";
import { duplicateCaWarning, type KnownChain } from "@/lib/domain/certificates/duplicates";
import { ChainInspector } from "./inspector/chain-inspector";
import { useChainInspection } from "./inspector/use-chain-inspection";
import { PRIVATE_KEY_BLOCK, PRIVATE_KEY_REFUSAL, readCertificateFile } from "./read-certificate-file";

export const MTLS_LIST_PATH = "/access-controls/service-credentials/mutual-tls";

/**
 * Above these sizes the text box is "large": the browser lays out a textarea's text as one text node and one line
 * break per line, which for a 3,600-line, 200 KB CA bundle is a 80–200 ms task that no page code can split. A large
 * value that arrives in one step (a paste, a dropped or uploaded file, fill()) collapses the box: the same textarea,
 * same value, same label, its text just not laid out (content-visibility: hidden), with a summary over it.
 */
const LARGE_CONTENT_BYTES = 64 * 1024;
const LARGE_CONTENT_LINES = 400;
/** A change of more than this many characters into a large value is a paste or a file, not typing. */
const LARGE_JUMP_CHARS = 16 * 1024;

export function isLargeContent(text: string): boolean {
  if (text.length > LARGE_CONTENT_BYTES) return true;
  let lines = 1;
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) if (++lines > LARGE_CONTENT_LINES) return true;
  return false;
}

/**
 * UTF-8 size of `text` without copying it (a Blob of a 200 KB paste copied it, in the paste's own task). A lone
 * surrogate counts 3 bytes, as the encoder's U+FFFD replacement does.
 */
export function utf8Length(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2;
      i++;
    } else n += 2;
  }
  return n;
}

/** "212 KB of PEM — 144 blocks" (UTF-8 size of what will be submitted). */
function describeLargeContent(text: string): string {
  const kb = Math.round(utf8Length(text) / 1024);
  let blocks = 0;
  for (let i = text.indexOf("-----BEGIN "); i !== -1; i = text.indexOf("-----BEGIN ", i + 11)) blocks++;
  return blocks ? `${kb} KB of PEM — ${blocks} block${blocks === 1 ? "" : "s"}.` : `${kb} KB of text.`;
}

/** Keys that do not edit or move in the text box (focus moves, modifiers, shortcuts such as copy or select all). */
function keepsCollapsed(e: KeyboardEvent<HTMLTextAreaElement>): boolean {
  return e.key === "Tab" || e.key === "Escape" || e.key === "Shift" || e.key === "Control" || e.key === "Alt" || e.key === "Meta" || e.ctrlKey || e.metaKey || e.altKey;
}

/**
 * Add an mTLS certificate: Name, Certificate content (paste, drop or upload; PEM or DER), Associated hostnames,
 * optional CRL, with the live chain inspector beside it. Reused by the guided setup through `onSaved`.
 */
export function CertificateForm({
  onSaved,
  idPrefix = "certificate",
  knownCas,
}: {
  onSaved?: (dto: CertificateDto) => void;
  idPrefix?: string;
  /** Stored chains, to warn (not refuse) when the pasted CA is already uploaded under another name. */
  knownCas?: readonly KnownChain[];
}) {
  const router = useRouter();
  const [state, action] = useActionState<ActionState<CertificateDto> | null, FormData>(createCertificateAction, null);
  const [name, setName] = useState("");
  const [content, setContentState] = useState("");
  /** The large value's text is not laid out until the user asks for it (focus, click, a key, or Show text). */
  const [collapsed, setCollapsed] = useState(false);
  const [crl, setCrl] = useState("");
  const [localErrors, setLocalErrors] = useState<Record<string, string[]>>({});
  const [dragging, setDragging] = useState(false);
  const inspection = useChainInspection(content);
  const inspected = inspection.status === "done" ? inspection.result : null;
  const duplicate = useMemo(
    () => (inspected && knownCas?.length ? duplicateCaWarning(inspected.certificates.map((c) => c.sha256Fingerprint), knownCas) : null),
    [inspected, knownCas],
  );

  /** Every change of the box's value: `typed` for edits in the box itself, false for files and Reorder. */
  const setContent = (next: string, typed = false) => {
    if (!isLargeContent(next)) setCollapsed(false);
    else if (!isLargeContent(content) || Math.abs(next.length - content.length) > LARGE_JUMP_CHARS) setCollapsed(true);
    else if (typed) setCollapsed(false);
    setContentState(next);
  };
  const collapsedSummary = useMemo(() => (collapsed ? describeLargeContent(content) : ""), [collapsed, content]);
  const reveal = () => {
    if (collapsed) setCollapsed(false);
  };

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
          <div className="relative">
            <Textarea
              id={ids.content}
              name="certificate"
              value={content}
              onChange={(e) => setContent(e.target.value, true)}
              onFocus={reveal}
              onClick={reveal}
              onKeyDown={(e) => {
                if (!keepsCollapsed(e)) reveal();
              }}
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
              aria-describedby={[collapsed ? `${ids.content}-collapsed` : null, describedBy(ids.content, { hint: true, errors: fe.certificate })].filter(Boolean).join(" ") || undefined}
              data-collapsed={collapsed ? "true" : undefined}
              // Collapsed: the box keeps its size (12 rows) but its 200 KB of text is neither laid out nor painted.
              style={collapsed ? { contentVisibility: "hidden", containIntrinsicSize: "auto 13.125rem", height: "13.125rem" } : undefined}
              className={dragging ? "ring-2 ring-brand-500" : undefined}
            />
            {collapsed ? (
              <div className="pointer-events-none absolute inset-0 flex flex-col items-center justify-center gap-2 p-4 text-center">
                <p id={`${ids.content}-collapsed`} className="text-sm text-slate-600 dark:text-slate-300">
                  {collapsedSummary} The text box is collapsed so the page stays responsive.
                </p>
                <Button
                  variant="secondary"
                  size="sm"
                  className="pointer-events-auto"
                  onClick={() => {
                    setCollapsed(false);
                    document.getElementById(ids.content)?.focus();
                  }}
                >
                  Show text
                </Button>
              </div>
            ) : null}
          </div>
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
        <ChainInspector inspection={inspection} onReorder={setContent} notices={duplicate ? [duplicate] : undefined} />
      </div>
    </div>
  );
}
