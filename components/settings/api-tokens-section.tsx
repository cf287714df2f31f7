import Link from "next/link";
import { Table, Th } from "@/components/ui/table";
import { listApiTokens } from "@/lib/domain/api-tokens";
import { ApiTokenCreateForm } from "./api-tokens-create-form";
import { ApiTokenRow } from "./api-tokens-row";

/** Settings → API tokens: list for everyone; create and revoke for admins. */
export async function ApiTokensSection({ canEdit }: { canEdit: boolean }) {
  const tokens = await listApiTokens();
  return (
    <section aria-labelledby="api-tokens-heading" className="mb-8 space-y-3">
      <h2 id="api-tokens-heading" className="text-lg font-semibold">
        API tokens
      </h2>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Tokens authenticate the Cloudflare-compatible REST API (<code>Authorization: Bearer &lt;token&gt;</code>). A token acts with
        its owner&apos;s current role; Read tokens can only read. See the <Link href="/api-docs" className="text-brand-700 underline dark:text-brand-300">API</Link> page.
      </p>
      {tokens.length ? (
        <Table caption="API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Permission</Th>
              <Th>Owner</Th>
              <Th>Created</Th>
              <Th>Last used</Th>
              <Th>Expires</Th>
              <Th>Status</Th>
              {canEdit ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {tokens.map((t) => (
              <ApiTokenRow key={t.id} token={t} canEdit={canEdit} />
            ))}
          </tbody>
        </Table>
      ) : (
        <p className="text-sm text-slate-600 dark:text-slate-400">No API tokens yet.</p>
      )}
      {canEdit ? <ApiTokenCreateForm /> : null}
    </section>
  );
}
