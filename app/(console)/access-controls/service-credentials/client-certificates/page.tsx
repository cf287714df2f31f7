import type { Metadata } from "next";
import Link from "next/link";
import { ClientCertificateFilter } from "@/components/client-certificates/certificate-filter";
import { ClientCertificateRow } from "@/components/client-certificates/certificate-row";
import { ClientCertificateCreateForm } from "@/components/client-certificates/create-form";
import { ListEmpty, Pager, QueryNotices } from "@/components/ui/list-kit";
import { PageHeader } from "@/components/ui/page-header";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { HeaderRow, Table, TBody } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db/client";
import { listClientCertificates } from "@/lib/domain/client-certificates";
import { CLIENT_CERTIFICATE_STATUSES, type ClientCertificateStatus } from "@/lib/domain/client-certificates/view";
import { listQuery, pageNumber } from "@/lib/list-query";

export const metadata: Metadata = { title: "Client certificates" };

const PATH = "/access-controls/service-credentials/client-certificates";
const PER_PAGE = 50;

export default async function ClientCertificatesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const { values: sp, notices } = listQuery(await searchParams, ["q", "status", "page"]);
  const q = (sp.q ?? "").slice(0, 200);
  const status = CLIENT_CERTIFICATE_STATUSES.find((s) => s === sp.status) as ClientCertificateStatus | undefined;
  const { page, notice } = pageNumber(sp.page);
  if (notice) notices.push(notice);
  const canEdit = me.role === "admin";
  const { items, total } = await listClientCertificates(await getDb(), { status, search: q || undefined, page, perPage: PER_PAGE });
  const filtered = !!(q || status);
  const pages = Math.max(1, Math.ceil(total / PER_PAGE));
  const pageHref = (p: number) => `${PATH}?${new URLSearchParams({ ...(q ? { q } : {}), ...(status ? { status } : {}), page: String(p) })}`;

  return (
    <>
      <PageHeader
        title="Client certificates"
        description="Certificates issued by Portcullis's managed CA for devices and services. Associate the managed CA (Mutual TLS) with the hostnames they call; a revoked certificate is refused within a second and listed in the CA's CRL."
      />
      <QueryNotices notices={notices} />
      {canEdit ? <ClientCertificateCreateForm /> : <ReadOnlyNotice ask="create, revoke or reactivate client certificates" />}
      {total > 0 || filtered ? <ClientCertificateFilter q={q} status={status ?? ""} action={PATH} /> : null}
      {items.length === 0 ? (
        <ListEmpty
          filtered={filtered}
          none={{ title: "No client certificates yet", children: "Create one for each device or service; generate its key in the browser or bring a CSR made where the key lives." }}
          noMatch={{
            title: "No client certificates match this filter",
            children: (
              <Link href={PATH} className="text-brand-700 underline dark:text-brand-300">
                Clear the filter
              </Link>
            ),
          }}
        />
      ) : (
        <>
          <Table caption="Client certificates">
            <HeaderRow columns={["Label", "Common Name", "Serial number", "Expires", "Status"]} actions={canEdit} />
            <TBody>
              {items.map((c) => (
                <ClientCertificateRow
                  key={c.id}
                  canEdit={canEdit}
                  certificate={{ id: c.id, label: c.label, commonName: c.commonName, serialNumber: c.serialNumber, expiresOn: c.expiresOn, status: c.status, revocationReason: c.revocationReason }}
                />
              ))}
            </TBody>
          </Table>
          <Pager page={page} pages={pages} total={total} noun="certificates" href={pageHref} />
        </>
      )}
    </>
  );
}
