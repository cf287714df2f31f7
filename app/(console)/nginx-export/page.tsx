import type { Metadata } from "next";
import Link from "next/link";
import { CopyConfig } from "@/components/gateway/copy-config";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { Field, Input } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { nginxExportForPage } from "@/lib/export/cached";
import { parseExportOptions } from "../../../lib/export/options";

export const metadata: Metadata = { title: "Nginx export" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function NginxExportPage({ searchParams }: { searchParams: Search }) {
  // Signed in before any query: the layout's check runs in parallel with this page, not before it.
  await requireUser();
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const { options, errors } = parseExportOptions(raw);
  const out = await nginxExportForPage({ filesDir: options.filesDir, listen: options.listen });
  const q = (file: string) => `/nginx-export/download?${new URLSearchParams({ file, filesDir: options.filesDir, listen: options.listen })}`;
  return (
    <>
      <PageHeader
        title="Nginx export"
        description="The same mTLS enforcement as the Portcullis gateway, as an nginx configuration: one server block per associated hostname that has an application. The file's comments list what nginx cannot express."
        actions={
          <a href={q("nginx.conf")} className={buttonClass("primary")} download>
            Download nginx.conf
          </a>
        }
      />
      <form method="get" aria-label="Export options" className="mb-4 grid grid-cols-1 items-end gap-3 md:grid-cols-3">
        <Field id="filesDir" label="Files directory" hint="Where nginx will find the CA and CRL files" errors={errors.filesDir}>
          <Input id="filesDir" name="filesDir" defaultValue={options.filesDir} />
        </Field>
        <Field id="listen" label="Listen" hint="Port, or address:port" errors={errors.listen}>
          <Input id="listen" name="listen" defaultValue={options.listen} />
        </Field>
        <div className="flex gap-2">
          <button type="submit" className={buttonClass("secondary")}>
            Update
          </button>
          <Link href="/nginx-export" className={buttonClass("secondary")}>
            Reset
          </Link>
        </div>
      </form>
      {Object.keys(errors).length ? (
        <Notice tone="error" className="mb-4">
          Some options were invalid; the defaults were used.
        </Notice>
      ) : null}
      {out.skipped.length ? (
        <Notice tone="warning" className="mb-4">
          No server block for {out.skipped.join(", ")}: no application protects {out.skipped.length === 1 ? "this hostname" : "these hostnames"}.
        </Notice>
      ) : null}
      {out.hostnames.length ? null : (
        <EmptyState title="Nothing to enforce yet">
          Associate an mTLS certificate with a hostname and protect it with an application; its server block appears here.
        </EmptyState>
      )}
      <section aria-labelledby="config-heading" className="mt-6">
        <h2 id="config-heading" className="mb-2 text-lg font-semibold">
          nginx.conf
        </h2>
        <CopyConfig text={out.config} label="Generated nginx.conf" />
      </section>
      {out.files.length ? (
        <section aria-labelledby="files-heading" className="mt-6">
          <h2 id="files-heading" className="mb-2 text-lg font-semibold">
            CA and CRL files
          </h2>
          <p className="mb-2 text-sm text-slate-600 dark:text-slate-400">
            Place these in {options.filesDir}/ next to the proxy&apos;s own server.crt and server.key, or run <code>portcullis export nginx --out DIR</code>.
          </p>
          <ul className="list-disc space-y-1 pl-5 text-sm">
            {out.files.map((f) => (
              <li key={f.name}>
                <a className="text-brand-600 hover:underline dark:text-brand-100" href={q(f.name)} download>
                  Download {f.name}
                </a>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}
