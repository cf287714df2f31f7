import type { Metadata } from "next";
import { AuditTable } from "@/components/audit/audit-table";
import { EmptyState } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { ListFilters, PagePager, QueryNotices } from "@/components/ui/list-kit";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { auditFacets, auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";
import { listFilter } from "@/lib/list-query";

export const metadata: Metadata = { title: "Audit log" };

type Search = Promise<Record<string, string | string[] | undefined>>;

const FILTERS = ["actor", "resourceType", "from", "to"] as const;

export default async function AuditLogPage({ searchParams }: { searchParams: Search }) {
  // Signed in before any query: the layout's check runs in parallel with this page, not before it.
  await requireUser();
  const { filter, valid, fieldErrors, notices } = listFilter(await searchParams, [...FILTERS, "page"], auditFilterSchema);
  const [{ events, total, totalIsCapped, pages }, facets] = await Promise.all([listAuditEvents(filter), auditFacets()]);
  const link = (page: number) => {
    const q = new URLSearchParams();
    for (const k of FILTERS) if (filter[k]) q.set(k, filter[k]);
    q.set("page", String(page));
    return `/audit-log?${q}`;
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change and every sign-in attempt, newest first. Entries cannot be edited or deleted." />
      <ListFilters label="Filter audit events" className="grid grid-cols-2 items-end gap-3 lg:grid-cols-5" clear={{ href: "/audit-log" }}>
        <Field id="actor" label="Actor">
          <Select id="actor" name="actor" defaultValue={filter.actor}>
            <option value="">Anyone</option>
            {facets.actors.map((a) => (
              <option key={a}>{a}</option>
            ))}
          </Select>
        </Field>
        <Field id="resourceType" label="Resource type">
          <Select id="resourceType" name="resourceType" defaultValue={filter.resourceType}>
            <option value="">Any</option>
            {facets.resourceTypes.map((t) => (
              <option key={t}>{t}</option>
            ))}
          </Select>
        </Field>
        <Field id="from" label="From" errors={fieldErrors.from}>
          <Input id="from" name="from" type="date" defaultValue={filter.from} />
        </Field>
        <Field id="to" label="To" errors={fieldErrors.to}>
          <Input id="to" name="to" type="date" defaultValue={filter.to} />
        </Field>
      </ListFilters>
      <QueryNotices notices={notices} invalid={!valid} />
      {events.length ? (
        <>
          <AuditTable events={events} />
          <PagePager
            page={filter.page}
            pages={pages}
            href={link}
            summary={
              totalIsCapped
                ? `Page ${filter.page} · more than ${total.toLocaleString("en")} events`
                : `Page ${filter.page} of ${pages} · ${total} event${total === 1 ? "" : "s"}`
            }
          />
        </>
      ) : (
        <EmptyState title="No audit events match these filters" />
      )}
    </>
  );
}
