import type { Metadata } from "next";
import Link from "next/link";
import { AlertBanner } from "@/components/alerts/alert-banner";
import { CertificateFilter } from "@/components/mtls/certificate-filter";
import { LinkButton } from "@/components/mtls/configure-link-button";
import { DeleteCertificateButton } from "@/components/mtls/delete-certificate-button";
import { ExpiryBadge } from "@/components/mtls/expiry-badge";
import { ManagedBadge, ManagedCaSection } from "@/components/managed-ca/managed-ca-section";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { PagePager, QueryNotices } from "@/components/ui/list-kit";
import { Notice } from "@/components/ui/notice";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { listManagedCas } from "@/lib/domain/managed-ca";
import { listQuery, pageNumber } from "@/lib/list-query";
import { SignedIn } from "../../../signed-in";
import { getCertificate, listCertificates, type ExpiryStatus } from "@/lib/domain/certificates";
import { certificateDeletionImpacts } from "@/lib/domain/hostnames";

export const metadata: Metadata = { title: "Mutual TLS" };

const PATH = "/access-controls/service-credentials/mutual-tls";
const PER_PAGE = 50;

export default async function MutualTlsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const { values: sp, notices } = listQuery(await searchParams, ["q", "status", "page", "added", "deleted"]);
  const one = (v: string | undefined) => v ?? "";
  const q = one(sp.q).slice(0, 200);
  const statusParam = one(sp.status);
  const status = (["expired", "expiring", "valid"] as const).includes(statusParam as ExpiryStatus) ? (statusParam as ExpiryStatus) : undefined;
  const { page, notice } = pageNumber(sp.page);
  if (notice) notices.push(notice);
  const canEdit = me.role === "admin";
  const [{ items, total }, added, managedCas] = await Promise.all([
    listCertificates({ page, perPage: PER_PAGE, filter: { q, status } }),
    one(sp.added) ? getCertificate(one(sp.added)) : Promise.resolve(null),
    getDb().then(listManagedCas),
  ]);
  const managed = new Set(managedCas.map((ca) => ca.id));
  const impacts = canEdit ? await certificateDeletionImpacts(items.map((c) => c.id)) : new Map<string, never[]>();
  const filtered = !!(q || status);
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const pageHref = (p: number) => `${PATH}?${new URLSearchParams({ ...(q ? { q } : {}), ...(status ? { status } : {}), page: String(p) })}`;
  const addButton = canEdit ? (
    <Link href={`${PATH}/new`} role="button" className={buttonClass("primary")}>
      Add mTLS Certificate
    </Link>
  ) : null;

  return (
    <>
      <PageHeader
        title="Mutual TLS"
        description="Root and intermediate CAs that verify client certificates. Associate each with the hostnames of the applications it protects, then use Valid Certificate or Common Name rules in a policy."
        actions={addButton}
      />
      <SignedIn>
        <AlertBanner className="mb-4" />
      </SignedIn>
      <QueryNotices notices={notices} />
      <p className="mb-4 text-sm">
        <Link href={`${PATH}/blocked`} className="text-brand-700 underline hover:no-underline dark:text-brand-100">
          Blocked certificates
        </Link>
        : client certificates the gateway refuses at once, without a CRL.
      </p>
      {added ? <Notice tone="success" className="mb-4">{`Added mTLS certificate ${added.name}.`}</Notice> : null}
      {one(sp.deleted) ? <Notice tone="success" className="mb-4">{`Deleted mTLS certificate ${one(sp.deleted)}.`}</Notice> : null}
      {!canEdit ? (
        <ReadOnlyNotice ask="add or change certificates" />
      ) : null}
      {total === 0 && !filtered ? (
        <EmptyState title="No mTLS certificates yet">
          Upload the CA that issues your devices&apos; client certificates. Requests to its associated hostnames must then present a
          certificate that chains to it.
        </EmptyState>
      ) : (
        <>
          <CertificateFilter q={q} status={status ?? ""} action={PATH} />
          {items.length === 0 ? (
            <EmptyState title="No certificates match this filter">
              <Link href={PATH} className="text-brand-700 hover:underline">
                Clear the filter
              </Link>
            </EmptyState>
          ) : (
            <Table caption="mTLS certificates">
              <thead>
                <tr>
                  <Th>Name</Th>
                  <Th>Associated hostnames</Th>
                  <Th>Expires</Th>
                  <Th>Fingerprint</Th>
                  <Th>
                    <span className="sr-only">Actions</span>
                  </Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
                {items.map((c) => (
                  <tr key={c.id}>
                    <Td className="font-medium">
                      <Link id={`cert-${c.id}`} href={`${PATH}/${c.id}`} className="hover:underline">
                        {c.name}
                      </Link>
                      {managed.has(c.id) ? <> <ManagedBadge /></> : null}
                    </Td>
                    <Td>
                      {c.associated_hostnames.length ? (
                        <span className="font-mono text-xs">{c.associated_hostnames.join(", ")}</span>
                      ) : (
                        <span className="text-slate-500 dark:text-slate-400">None</span>
                      )}
                    </Td>
                    <Td>
                      <ExpiryBadge expiresOn={c.expires_on} />
                    </Td>
                    <Td className="max-w-64 font-mono text-xs break-all">{c.fingerprint.replace(/^MD5 Fingerprint=/, "MD5 ")}</Td>
                    <Td className="whitespace-nowrap text-right">
                      <span className="inline-flex gap-2">
                        <LinkButton href={`${PATH}/${c.id}`} describedBy={`cert-${c.id}`}>
                          Configure
                        </LinkButton>
                        {canEdit ? <DeleteCertificateButton id={c.id} name={c.name} hostnames={c.associated_hostnames} impact={impacts.get(c.id) ?? []} /> : null}
                      </span>
                    </Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          )}
          {pages > 1 ? (
            <PagePager page={page} pages={pages} href={pageHref} summary={`Page ${page} of ${pages} (${total} certificates)`} labels={{ previous: "Previous", next: "Next" }} />
          ) : null}
        </>
      )}
      <ManagedCaSection cas={managedCas} canEdit={canEdit} />
    </>
  );
}
