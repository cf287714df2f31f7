import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { EnforcementNotice } from "@/components/policies/enforcement";
import { PolicyForm } from "@/components/policies/policy-form";
import { UsedBy } from "@/components/policies/used-by";
import { Card } from "@/components/ui/card";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { getPolicy, policyApplications } from "@/lib/domain/policies";
import { DECISION_LABELS, describePolicy } from "@/lib/policy";

export const metadata: Metadata = { title: "Edit policy" };

export default async function EditPolicyPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const me = await requireUser();
  const policy = await getPolicy(id);
  if (!policy) notFound();
  const apps = (await policyApplications([policy.id])).get(policy.id) ?? [];
  if (me.role !== "admin") {
    return (
      <>
        <PageHeader title={policy.name} description={<Link href="/access-controls/policies" className="underline">Back to Policies</Link>} />
        <ReadOnlyNotice />
        <EnforcementNotice policy={policy} />
        <Card className="space-y-2 text-sm">
          <p>Action: {DECISION_LABELS[policy.decision]}</p>
          <p>Session duration: {policy.session_duration}</p>
          <p>{describePolicy(policy)}</p>
          <div className="flex gap-2">Used by applications: <UsedBy apps={apps} /></div>
        </Card>
      </>
    );
  }
  return (
    <>
      <PageHeader
        title={`Edit policy ${policy.name}`}
        description={apps.length ? `Used by ${apps.map((a) => a.name).join(", ")}. Changes apply to every application using it.` : "Not used by any application yet."}
      />
      <div className="mb-4">
        <EnforcementNotice policy={policy} />
      </div>
      <PolicyForm policy={policy} />
    </>
  );
}
