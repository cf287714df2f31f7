import type { Metadata } from "next";
import Link from "next/link";
import { CertificateForm } from "@/components/mtls/certificate-form";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { knownChains } from "@/lib/domain/certificates/queries";

export const metadata: Metadata = { title: "Add mTLS Certificate" };

export default async function NewCertificatePage() {
  const me = await requireUser();
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href="/access-controls/service-credentials/mutual-tls" className="text-brand-700 hover:underline dark:text-brand-100">
          Mutual TLS
        </Link>
      </nav>
      <PageHeader
        title="Add mTLS Certificate"
        description="Upload the CA chain that issues your client certificates: intermediate(s) first, root last. Do not include SSL/TLS server certificates or private keys."
      />
      {me.role === "admin" ? (
        <CertificateForm knownCas={await knownChains()} />
      ) : (
        <ReadOnlyNotice ask="add mTLS certificates" className="" />
      )}
    </>
  );
}
