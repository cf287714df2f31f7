import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { PolicyForm } from "@/components/policies/policy-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Add a policy" };

export default async function NewPolicyPage() {
  const me = await requireUser();
  if (me.role !== "admin") redirect("/access-controls/policies");
  return (
    <>
      <PageHeader title="Add a policy" description="Choose an Action, then rules: any Include rule, every Require rule, and no Exclude rule must match." />
      <PolicyForm />
    </>
  );
}
