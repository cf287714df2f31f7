import type { Metadata } from "next";
import Link from "next/link";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { listApplications } from "@/lib/domain/applications";
import { listQuery, pageNumber } from "@/lib/list-query";
import { Pager, QueryNotices } from "@/components/ui/list-kit";

export const metadata: Metadata = { title: "Applications" };

const PAGE_SIZE = 100;

export default async function ApplicationsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const canEdit = me.role === "admin";
  const { values, notices } = listQuery(await searchParams, ["page"]);
  const { page, notice } = pageNumber(values.page);
  if (notice) notices.push(notice);
  const { items, total } = await listApplications({ page, perPage: PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const add = canEdit ? (
    <Link href="/access-controls/applications/new" className={buttonClass("primary")} role="button">
      Add an application
    </Link>
  ) : null;
  return (
    <>
      <PageHeader
        title="Applications"
        description="Self-hosted applications protected by Access. To enforce mTLS, the application's hostname must be an associated hostname of an mTLS certificate."
        actions={add}
      />
      {!canEdit ? (
        <ReadOnlyNotice />
      ) : null}
      <QueryNotices notices={notices} />
      {total === 0 ? (
        <EmptyState title="No applications yet">
          Add the hostname you want to protect, then attach policies on its Policies tab.
        </EmptyState>
      ) : (
        <Table caption="Applications">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Domain</Th>
              <Th>Policies</Th>
              <Th>
                <span className="sr-only">Actions</span>
              </Th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map((a) => (
              <tr key={a.id}>
                <Td className="font-medium">{a.name}</Td>
                <Td className="font-mono text-xs">{a.domain}</Td>
                <Td>
                  {a.policies.length === 0 ? (
                    <span className="text-slate-500 dark:text-slate-400">None (denies every request)</span>
                  ) : (
                    <ol className="list-decimal pl-4 text-xs">
                      {a.policies.map((p) => (
                        <li key={p.id}>{p.name}</li>
                      ))}
                    </ol>
                  )}
                </Td>
                <Td className="text-right">
                  <Link href={`/access-controls/applications/${a.id}`} className={buttonClass("secondary", "sm")} role="button">
                    Configure
                  </Link>
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager page={page} pages={pages} total={total} noun={total === 1 ? "application" : "applications"} href={(n) => `/access-controls/applications?page=${n}`} />
    </>
  );
}
