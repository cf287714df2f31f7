import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ClientCertificatesSeen } from "@/components/blocked-certificates/clients-seen";
import { CrlSection } from "@/components/crl/crl-section";
import { ConfigureForm } from "@/components/mtls/configure-form";
import { DeleteCertificateButton } from "@/components/mtls/delete-certificate-button";
import { ExpiryBadge } from "@/components/mtls/expiry-badge";
import { HostnameSettings } from "@/components/mtls/hostname-settings";
import { RevocationSettings } from "@/components/mtls/revocation-settings";
import { StoredChain } from "@/components/mtls/stored-chain";
import { buttonClass } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { getCertificate } from "@/lib/domain/certificates";
import { certificateHostnameImpact, getHostnameSettings } from "@/lib/domain/hostnames";
import { getRevocationSettings } from "@/lib/domain/hostnames/revocation";
import { getCrlSource } from "@/lib/domain/crls/refresh";

export const metadata: Metadata = { title: "Configure mTLS certificate" };

const PATH = "/access-controls/service-credentials/mutual-tls";

export default async function ConfigureCertificatePage({ params }: { params: Promise<{ id: string }> }) {
  const me = await requireUser();
  const { id } = await params;
  const cert = await getCertificate(id);
  if (!cert) notFound();
  const canEdit = me.role === "admin";
  const [settings, impact, revocation, crlSource] = await Promise.all([
    getHostnameSettings(cert.associated_hostnames),
    certificateHostnameImpact(cert.id, []),
    getRevocationSettings(cert.associated_hostnames),
    getCrlSource(cert.id),
  ]);
  return (
    <>
      <nav aria-label="Breadcrumb" className="mb-2 text-sm">
        <Link href={PATH} className="text-brand-700 hover:underline dark:text-brand-100">
          Mutual TLS
        </Link>
      </nav>
      <PageHeader
        title={cert.name}
        description="mTLS certificate. Only the name and the associated hostnames can change; to change the certificate content, add a new one."
        actions={
          <>
            <a href={`${PATH}/${cert.id}/pem`} download className={buttonClass("secondary")}>
              Download PEM
            </a>
            {canEdit ? <DeleteCertificateButton id={cert.id} name={cert.name} hostnames={cert.associated_hostnames} impact={await certificateHostnameImpact(cert.id, null)} /> : null}
          </>
        }
      />
      {!canEdit ? (
        <ReadOnlyNotice ask="change this certificate" />
      ) : null}
      <div className="grid grid-cols-1 gap-6 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Card>
          <ConfigureForm cert={cert} impact={impact} canEdit={canEdit} />
        </Card>
        <Card>
          <dl className="space-y-2 text-sm">
            <div>
              <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Expires</dt>
              <dd className="mt-0.5">
                <ExpiryBadge expiresOn={cert.expires_on} />
              </dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Fingerprint</dt>
              <dd className="font-mono text-xs break-all">{cert.fingerprint}</dd>
            </div>
            <div>
              <dt className="text-xs font-medium text-slate-500 dark:text-slate-400">Certificate ID</dt>
              <dd className="font-mono text-xs select-all">{cert.id}</dd>
            </div>
          </dl>
        </Card>
      </div>
      <div className="mt-8">
        <HostnameSettings settings={settings} canEdit={canEdit} />
      </div>
      <div className="mt-8">
        <RevocationSettings settings={revocation} canEdit={canEdit} />
      </div>
      <div className="mt-8"><CrlSection cert={cert} canEdit={canEdit} source={crlSource} /></div>
      <div className="mt-8">
        <StoredChain chain={cert.chain} />
      </div>
      <div className="mt-8">
        <ClientCertificatesSeen caSubjects={cert.chain.map((c) => c.subject)} canEdit={canEdit} />
      </div>
    </>
  );
}
