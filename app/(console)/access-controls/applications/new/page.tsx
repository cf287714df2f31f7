import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { ApplicationForm } from "@/components/applications/application-form";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { listLoginMethods } from "@/lib/domain/login-methods";

export const metadata: Metadata = { title: "Add an application" };

export default async function NewApplicationPage() {
  const me = await requireUser();
  if (me.role !== "admin") redirect("/access-controls/applications");
  const methods = await listLoginMethods();
  return (
    <>
      <PageHeader title="Add an application" description="A self-hosted application: the hostname (and optional path) that Access protects. Attach policies next." />
      <ApplicationForm loginMethods={methods.map((m) => ({ id: m.id, name: m.name }))} />
    </>
  );
}
