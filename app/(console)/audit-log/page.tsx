import type { Metadata } from "next";
import Link from "next/link";
import { AuditTable } from "@/components/audit/audit-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { auditFacets, auditFilterSchema, listAuditEvents } from "@/lib/domain/audit-log";

export const metadata: Metadata = { title: "Audit log" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function AuditLogPage({ searchParams }: { searchParams: Search }) {
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = auditFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : auditFilterSchema.parse({});
  const fieldErrors = parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), [i.message]]));
  const [{ events, total, totalIsCapped, pages }, facets] = await Promise.all([listAuditEvents(filter), auditFacets()]);
  const link = (page: number) => {
    const q = new URLSearchParams();
    for (const k of ["actor", "resourceType", "from", "to"] as const) if (filter[k]) q.set(k, filter[k]);
    q.set("page", String(page));
    return `/audit-log?${q}`;
  };
  return (
    <>
      <PageHeader title="Audit log" description="Every change and every sign-in attempt, newest first. Entries cannot be edited or deleted." />
      <form method="get" role="search" aria-label="Filter audit events" className="mb-4 grid grid-cols-2 items-end gap-3 lg:grid-cols-5">
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
        <div className="flex gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Filter
          </button>
          <Link href="/audit-log" className={buttonClass("secondary")}>
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success ? <Notice tone="error" className="mb-4">Some filters were invalid and were ignored.</Notice> : null}
      {events.length ? (
        <>
          <AuditTable events={events} />
          <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
            <span>
              {totalIsCapped
                ? `Page ${filter.page} · more than ${total.toLocaleString("en")} events`
                : `Page ${filter.page} of ${pages} · ${total} event${total === 1 ? "" : "s"}`}
            </span>
            <span className="flex gap-2">
              {filter.page > 1 ? (
                <Link className={buttonClass("secondary", "sm")} href={link(filter.page - 1)}>
                  Previous page
                </Link>
              ) : null}
              {filter.page < pages ? (
                <Link className={buttonClass("secondary", "sm")} href={link(filter.page + 1)}>
                  Next page
                </Link>
              ) : null}
            </span>
          </nav>
        </>
      ) : (
        <EmptyState title="No audit events match these filters" />
      )}
    </>
  );
}
