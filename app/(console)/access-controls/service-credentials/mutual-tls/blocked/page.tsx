import type { Metadata } from "next";
import Link from "next/link";
import { BlockedCertificateRow } from "@/components/blocked-certificates/blocked-row";
import { BlockByHandForm } from "@/components/blocked-certificates/manual-form";
import { Card, EmptyState } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { HeaderRow, Table, TBody } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { listBlockedCertificates } from "@/lib/domain/blocked-certificates";

export const metadata: Metadata = { title: "Blocked certificates" };

export default async function BlockedCertificatesPage() {
  const me = await requireUser();
  const canEdit = me.role === "admin";
  const items = await listBlockedCertificates();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/access-controls/service-credentials/mutual-tls" className="text-brand-700 underline hover:no-underline dark:text-brand-100">
          Mutual TLS
        </Link>
      </nav>
      <PageHeader
        title="Blocked certificates"
        description="Client certificates the gateway refuses on every application, before any policy and without a CRL: an emergency lock that takes effect within a second. Block one from an access-log row, a Test mTLS result or a CA's list of client certificates seen, or here by fingerprint or serial number."
      />
      {canEdit ? (
        <Card className="mb-6">
          <BlockByHandForm />
        </Card>
      ) : (
        <ReadOnlyNotice ask="block or unblock certificates" />
      )}
      {items.length === 0 ? (
        <EmptyState title="No blocked certificates">Every client certificate is decided by its hostname&apos;s CAs, CRLs and policies.</EmptyState>
      ) : (
        <Table caption="Blocked certificates">
          <HeaderRow columns={["Certificate", "Matched by", "Reason", "Blocked"]} actions={canEdit} />
          <TBody>
            {items.map((item) => (
              <BlockedCertificateRow key={item.id} item={item} canEdit={canEdit} />
            ))}
          </TBody>
        </Table>
      )}
    </>
  );
}
