import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import { LiveAccessLog } from "@/components/access-log/live-access-log";
import { Field, Input, Select } from "@/components/ui/field";
import { ListFilters, QueryNotices } from "@/components/ui/list-kit";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { accessLogHostnames } from "@/lib/domain/access-log";
import { accessLogQuery, accessLogSearch } from "@/lib/queries/access-log";
import { accessLogFilter, loadAccessLog } from "@/lib/queries/loaders";
import { loadedBy, prefetch } from "@/lib/queries/server";

export const metadata: Metadata = { title: "Access log" };

type Search = Promise<Record<string, string | string[] | undefined>>;

/**
 * The list is rendered here from the prefetched page of rows, then kept current in the browser (LiveAccessLog polls
 * the same query while Live is on). The filter form is a plain GET form: the filter lives in the address.
 */
export default async function AccessLogPage({ searchParams }: { searchParams: Search }) {
  // Signed in before any query: the layout's check runs in parallel with this page, not before it.
  const me = await requireUser();
  const { filter, valid, fieldErrors, notices } = accessLogFilter(await searchParams);
  const [state, hostnames] = await Promise.all([prefetch(loadedBy(accessLogQuery(filter), () => loadAccessLog(filter))), accessLogHostnames()]);
  return (
    <>
      <PageHeader
        title="Access log"
        description="Every decision of the enforcement gateway, newest first: who presented which client certificate, and which policy allowed or blocked it."
      />
      <ListFilters label="Filter access decisions" className="grid grid-cols-2 items-end gap-3 lg:grid-cols-4" clear={{ href: "/access-log" }}>
        <Field id="hostname" label="Hostname">
          <Select id="hostname" name="hostname" defaultValue={filter.hostname ?? ""}>
            <option value="">Any hostname</option>
            {hostnames.map((h) => (
              <option key={h}>{h}</option>
            ))}
          </Select>
        </Field>
        <Field id="decision" label="Decision" errors={fieldErrors.decision}>
          <Select id="decision" name="decision" defaultValue={filter.decision ?? ""}>
            <option value="">Any decision</option>
            <option value="allow">Allowed</option>
            <option value="deny">Blocked</option>
          </Select>
        </Field>
        <Field id="date" label="Date (UTC)" errors={fieldErrors.date}>
          <Input id="date" name="date" type="date" defaultValue={filter.date} />
        </Field>
      </ListFilters>
      <QueryNotices notices={notices} invalid={!valid} />
      <HydrationBoundary state={state}>
        {/* Keyed by the address: another filter or page starts with its own rows, and Live as that page defaults it. */}
        <LiveAccessLog key={accessLogSearch(filter).toString()} filter={filter} canBlock={me.role === "admin"} />
      </HydrationBoundary>
    </>
  );
}
