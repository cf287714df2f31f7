import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ApplicationTabs } from "@/components/applications/application-tabs";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { getApplication } from "@/lib/domain/applications";
import { listLoginMethods } from "@/lib/domain/login-methods";
import { listPolicies } from "@/lib/domain/policies";
import { describePolicy } from "@/lib/policy";

export const metadata: Metadata = { title: "Configure application" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function ConfigureApplicationPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Search }) {
  const [{ id }, search, me] = await Promise.all([params, searchParams, requireUser()]);
  const app = await getApplication(id);
  if (!app) notFound();
  const [{ items }, methods] = await Promise.all([listPolicies(), listLoginMethods()]);
  const options = items.map((p) => ({ id: p.id, name: p.name, decision: p.decision, summary: describePolicy(p) }));
  const canEdit = me.role === "admin";
  return (
    <>
      <PageHeader
        title={app.name}
        description={
          <>
            <span className="font-mono">{app.domain}</span> ·{" "}
            <Link href="/access-controls/applications" className="underline">
              All applications
            </Link>
          </>
        }
      />
      {!canEdit ? (
        <ReadOnlyNotice />
      ) : null}
      <ApplicationTabs key={app.id} app={app} options={options} loginMethods={methods.map((m) => ({ id: m.id, name: m.name }))} canEdit={canEdit} initialTab={search.tab === "policies" ? "policies" : "overview"} />
    </>
  );
}
