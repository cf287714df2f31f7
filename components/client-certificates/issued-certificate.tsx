"use client";

import { useState } from "react";
import { buildPkcs12, pkcs12PasswordProblem } from "@/lib/pki/pkcs12";
import { splitInput } from "@/lib/pki/pem";
import { Button } from "../ui/button";
import { describedBy, Field, Input, Textarea } from "../ui/field";
import { Notice } from "../ui/notice";
import { downloadFile, fileStem } from "./download";

export interface IssuedCertificate {
  label: string;
  commonName: string;
  serialNumber: string;
  certificatePem: string;
  chainPem: string;
}

/** The key generated in this page for the certificate; it exists only in the page's memory. */
export interface BrowserKey {
  privateKeyDer: Uint8Array;
  privateKeyPem: string;
}

/**
 * The certificate just issued: its PEM and chain to copy or download and, when the key was generated in this page,
 * the key as PEM and a PKCS#12 file assembled here under a password the admin types (modern, or legacy for older
 * devices). The key is never sent anywhere; it is gone once the page is left.
 */
export function IssuedCertificateResult({ certificate, browserKey, message }: { certificate: IssuedCertificate; browserKey: BrowserKey | null; message?: string }) {
  const stem = fileStem(certificate.label, certificate.commonName, certificate.serialNumber);
  return (
    <section aria-label="New client certificate" className="space-y-3 rounded-md border border-emerald-300 bg-emerald-50 p-4 dark:border-emerald-800 dark:bg-emerald-950">
      {message ? <Notice tone="success">{message}</Notice> : null}
      <PemBox id="new-client-certificate-pem" label="Certificate" value={certificate.certificatePem} />
      <PemBox id="new-client-certificate-chain" label="Chain" value={certificate.chainPem} />
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={() => downloadFile(`${stem}.pem`, certificate.certificatePem, "application/x-pem-file")}>
          Download certificate
        </Button>
        <Button variant="secondary" onClick={() => downloadFile(`${stem}-chain.pem`, certificate.chainPem, "application/x-pem-file")}>
          Download chain
        </Button>
        {browserKey ? (
          <Button variant="secondary" onClick={() => downloadFile(`${stem}.key`, browserKey.privateKeyPem, "application/x-pem-file")}>
            Download private key
          </Button>
        ) : null}
      </div>
      {browserKey ? <Pkcs12Download certificate={certificate} browserKey={browserKey} stem={stem} /> : null}
    </section>
  );
}

function PemBox({ id, label, value }: { id: string; label: string; value: string }) {
  return (
    <Field id={id} label={label}>
      <Textarea id={id} readOnly rows={Math.min(12, value.split("\n").length)} value={value} spellCheck={false} onFocus={(e) => e.currentTarget.select()} />
    </Field>
  );
}

/** PKCS#12 password + legacy choice → Download PKCS#12, built in the page from the key and the issued chain. */
function Pkcs12Download({ certificate, browserKey, stem }: { certificate: IssuedCertificate; browserKey: BrowserKey; stem: string }) {
  const [password, setPassword] = useState("");
  const [legacy, setLegacy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function download() {
    const problem = pkcs12PasswordProblem(password);
    setError(problem);
    if (problem) return;
    setBusy(true);
    try {
      const certificates = splitInput(certificate.chainPem).blocks.map((b) => b.der);
      const p12 = await buildPkcs12({ privateKeyDer: browserKey.privateKeyDer, certificates, password, mode: legacy ? "legacy" : "modern", friendlyName: certificate.label || certificate.commonName || undefined });
      downloadFile(`${stem}.p12`, p12, "application/x-pkcs12");
    } catch (err) {
      setError(err instanceof Error ? err.message : "The PKCS#12 file could not be built.");
    } finally {
      setBusy(false);
    }
  }

  const errors = error ? [error] : undefined;
  return (
    <div role="group" aria-labelledby="pkcs12-heading" className="space-y-2 border-t border-emerald-200 pt-3 dark:border-emerald-800">
      <h3 id="pkcs12-heading" className="text-sm font-semibold">
        PKCS#12 file
      </h3>
      <Field id="pkcs12-password" label="PKCS#12 password" hint="At least 8 characters. The device asks for it when the file is imported." errors={errors} className="max-w-sm">
        <Input
          id="pkcs12-password"
          type="password"
          autoComplete="new-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={!!error}
          aria-describedby={describedBy("pkcs12-password", { hint: true, errors })}
        />
      </Field>
      <div>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={legacy} onChange={(e) => setLegacy(e.target.checked)} aria-describedby="pkcs12-legacy-hint" />
          Legacy encryption for older devices
        </label>
        <p id="pkcs12-legacy-hint" className="ml-6 text-xs text-slate-600 dark:text-slate-300">
          Triple DES and SHA-1, for keystores that cannot read AES-256 (older Windows, macOS, Android). Without it: AES-256-CBC, PBKDF2 and SHA-256.
        </p>
      </div>
      <Button onClick={download} disabled={busy} aria-disabled={busy}>
        Download PKCS#12
      </Button>
    </div>
  );
}
