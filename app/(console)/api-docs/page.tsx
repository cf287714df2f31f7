import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { ApiReference } from "@/components/api/api-reference";
import { CodeExample } from "@/components/api/code-example";
import { apiExamples } from "@/components/api/examples";
import { Card } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { getSetting } from "@/lib/db/settings";
import { buildOpenApiDocument } from "@/lib/openapi/document";
import { API_OPERATIONS } from "@/lib/openapi/routes";

export const metadata: Metadata = { title: "API" };

async function origin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto")?.split(",")[0]?.trim() || "http";
  return `${proto}://${host}`;
}

export default async function ApiDocsPage() {
  await requireUser();
  const db = await getDb();
  const [accountId, zoneId, here] = await Promise.all([getSetting<string>(db, "account_id"), getSetting<string>(db, "zone_id"), origin()]);
  const base = `${here}/client/v4`;
  const examples = apiExamples(base, accountId ?? "");
  return (
    <>
      <PageHeader
        title="API"
        description={
          <>
            A Cloudflare-compatible REST API (v4 wire format) for mTLS certificates, hostname settings, reusable policies,
            self-hosted applications, service tokens and client certificates issued by the managed CA. Existing scripts and the official <code>cloudflare</code> SDK work by changing the base URL.
          </>
        }
      />
      <Card className="mb-6 space-y-2 text-sm">
        <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1">
          <dt className="font-medium">Base URL</dt>
          <dd className="font-mono break-all select-all">{base}</dd>
          <dt className="font-medium">Account ID</dt>
          <dd className="font-mono select-all">{accountId}</dd>
          <dt className="font-medium">Zone ID</dt>
          <dd className="font-mono select-all">{zoneId}</dd>
          <dt className="font-medium">OpenAPI</dt>
          <dd>
            <a className="text-brand-700 underline dark:text-brand-300" href="/client/v4/openapi.json">
              /client/v4/openapi.json
            </a>
          </dd>
        </dl>
        <p>
          Authenticate with <code>Authorization: Bearer &lt;token&gt;</code> (or <code>X-Auth-Email</code> + <code>X-Auth-Key</code>).
          Create tokens in <Link className="text-brand-700 underline dark:text-brand-300" href="/settings">Settings → API tokens</Link>. A
          token acts with its owner&apos;s current role; Read tokens get 403 on writes. Errors come back as
          <code> {"{success:false, errors:[{code, message}]}"}</code> with a real HTTP status; validation problems are 400 with one
          <code> access.api.error.invalid_request: …</code> error each. Lists take <code>page</code> and <code>per_page</code> (max 1000).
        </p>
      </Card>
      <section aria-labelledby="endpoints-heading" className="mb-8 space-y-3">
        <h2 id="endpoints-heading" className="text-lg font-semibold">
          Endpoints
        </h2>
        <Table caption="Endpoints">
          <thead>
            <tr>
              <Th>Method</Th>
              <Th>Path</Th>
              <Th>What it does</Th>
              <Th>Token</Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {API_OPERATIONS.map((op) => (
              <tr key={`${op.method} ${op.path}`}>
                <Td className="font-mono text-xs uppercase">{op.method}</Td>
                <Td className="font-mono text-xs break-all">{op.path}</Td>
                <Td>{op.summary}</Td>
                <Td>{op.write ? "Edit" : "Read"}</Td>
              </tr>
            ))}
          </tbody>
        </Table>
      </section>
      <section aria-labelledby="examples-heading" className="mb-8 space-y-4">
        <h2 id="examples-heading" className="text-lg font-semibold">
          Examples
        </h2>
        {examples.map((e) => (
          <CodeExample key={e.title} title={e.title} code={e.code} />
        ))}
      </section>
      <ApiReference document={buildOpenApiDocument()} origin={here} accountId={accountId ?? ""} zoneId={zoneId ?? undefined} />
    </>
  );
}
