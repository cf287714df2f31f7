import type { Metadata } from "next";
import Link from "next/link";
import { DeletePolicyButton } from "@/components/policies/delete-policy-button";
import { EnforcementBadges } from "@/components/policies/enforcement";
import { UsedBy } from "@/components/policies/used-by";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { listQuery, pageNumber } from "@/lib/list-query";
import { Pager, QueryNotices } from "@/components/ui/list-kit";
import { ReadOnlyNotice } from "@/components/ui/read-only-notice";
import { PageHeader } from "@/components/ui/page-header";
import { Table, Td, Th } from "@/components/ui/table";
import { requireUser } from "@/lib/auth/session";
import { listPolicies, policyApplications } from "@/lib/domain/policies";
import { DECISION_LABELS, describePolicy } from "@/lib/policy";

export const metadata: Metadata = { title: "Policies" };

const TONE = { allow: "green", deny: "red", bypass: "amber", non_identity: "blue" } as const;

const PAGE_SIZE = 100;

export default async function PoliciesPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const me = await requireUser();
  const canEdit = me.role === "admin";
  const { values, notices } = listQuery(await searchParams, ["page"]);
  const { page, notice } = pageNumber(values.page);
  if (notice) notices.push(notice);
  const { items, total } = await listPolicies({ page, perPage: PAGE_SIZE });
  const usage = await policyApplications(items.map((p) => p.id));
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));
  const add = canEdit ? (
    <Link href="/access-controls/policies/new" className={buttonClass("primary")} role="button">
      Add a policy
    </Link>
  ) : null;
  return (
    <>
      <PageHeader
        title="Policies"
        description="Reusable Access policies. Attach them to applications; Service Auth and Bypass policies are evaluated first, then the rest in precedence order."
        actions={add}
      />
      {!canEdit ? (
        <ReadOnlyNotice />
      ) : null}
      <QueryNotices notices={notices} />
      {total === 0 ? (
        <EmptyState title="No policies yet">
          A policy decides who gets in: for mTLS, use the Service Auth action with a Common Name or Valid Certificate rule.
        </EmptyState>
      ) : (
        <Table caption="Policies">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Action</Th>
              <Th>Used by applications</Th>
              {canEdit ? <Th>Actions</Th> : null}
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {items.map((p) => (
              <tr key={p.id}>
                <Td>
                  <div className="font-medium">{p.name}</div>
                  <div className="mt-0.5 max-w-md text-xs text-slate-500 dark:text-slate-400">{describePolicy(p)}</div>
                  <EnforcementBadges policy={p} />
                </Td>
                <Td>
                  <Badge tone={TONE[p.decision]}>{DECISION_LABELS[p.decision]}</Badge>
                </Td>
                <Td>
                  <UsedBy apps={usage.get(p.id) ?? []} />
                </Td>
                {canEdit ? (
                  <Td className="text-right whitespace-nowrap">
                    <div className="flex justify-end gap-2">
                      <Link href={`/access-controls/policies/${p.id}`} className={buttonClass("secondary", "sm")}>
                        Edit
                      </Link>
                      <DeletePolicyButton id={p.id} name={p.name} />
                    </div>
                  </Td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </Table>
      )}
      <Pager page={page} pages={pages} total={total} noun={total === 1 ? "policy" : "policies"} href={(n) => `/access-controls/policies?page=${n}`} />
    </>
  );
}
