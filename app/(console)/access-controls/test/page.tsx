import type { Metadata } from "next";
import { TestMtlsForm } from "@/components/test-mtls/test-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { listApplications } from "@/lib/domain/applications";

export const metadata: Metadata = { title: "Test mTLS" };

export default async function TestMtlsPage() {
  await requireUser();
  const { items } = await listApplications();
  const apps = items.map((a) => ({ id: a.id, name: a.name, domain: a.domain }));
  return (
    <>
      <PageHeader
        title="Test mTLS"
        description="Find out whether a client certificate would be let in, and why: the chain is built to the hostname's CA certificates, checked for validity, revocation and purpose, then the application's policies are evaluated. The certificate you test is not stored."
      />
      <TestMtlsForm applications={apps} />
    </>
  );
}
