import type { Metadata } from "next";
import Link from "next/link";
import { AccessLogTable } from "@/components/access-log/access-log-table";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { Field, Input, Select } from "@/components/ui/field";
import { Notice } from "@/components/ui/notice";
import { PageHeader } from "@/components/ui/page-header";
import { accessLogFilterSchema, accessLogHostnames, listAccessLog } from "@/lib/domain/access-log";

export const metadata: Metadata = { title: "Access log" };

type Search = Promise<Record<string, string | string[] | undefined>>;

export default async function AccessLogPage({ searchParams }: { searchParams: Search }) {
  const raw = Object.fromEntries(Object.entries(await searchParams).map(([k, v]) => [k, Array.isArray(v) ? v[0] : v]));
  const parsed = accessLogFilterSchema.safeParse(raw);
  const filter = parsed.success ? parsed.data : accessLogFilterSchema.parse({});
  const fieldErrors = parsed.success ? {} : Object.fromEntries(parsed.error.issues.map((i) => [String(i.path[0]), [i.message]]));
  const [{ items, next }, hostnames] = await Promise.all([listAccessLog(filter), accessLogHostnames()]);
  const link = (before?: string) => {
    const q = new URLSearchParams();
    for (const k of ["hostname", "decision", "date"] as const) if (filter[k]) q.set(k, filter[k]);
    if (before) q.set("before", before);
    const s = q.toString();
    return s ? `/access-log?${s}` : "/access-log";
  };
  return (
    <>
      <PageHeader
        title="Access log"
        description="Every decision of the enforcement gateway, newest first: who presented which client certificate, and which policy allowed or blocked it."
      />
      <form method="get" role="search" aria-label="Filter access decisions" className="mb-4 grid grid-cols-2 items-end gap-3 lg:grid-cols-4">
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
        <div className="flex gap-2">
          <button type="submit" className={buttonClass("primary")}>
            Filter
          </button>
          <Link href="/access-log" className={buttonClass("secondary")}>
            Clear
          </Link>
        </div>
      </form>
      {!parsed.success ? (
        <Notice tone="error" className="mb-4">
          Some filters were invalid and were ignored.
        </Notice>
      ) : null}
      {items.length ? (
        <>
          <AccessLogTable entries={items} />
          <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
            <span>
              {items.length} decision{items.length === 1 ? "" : "s"} on this page
            </span>
            <span className="flex gap-2">
              {filter.before ? (
                <Link className={buttonClass("secondary", "sm")} href={link()}>
                  Newest
                </Link>
              ) : null}
              {next ? (
                <Link className={buttonClass("secondary", "sm")} href={link(next)}>
                  Older
                </Link>
              ) : null}
            </span>
          </nav>
        </>
      ) : (
        <EmptyState title={filter.hostname || filter.decision || filter.date ? "No decisions match these filters" : "No gateway decisions yet"}>
          The gateway records a decision for every request it receives. Start it with GATEWAY_PORT set (or npm run gateway with PostgreSQL).
        </EmptyState>
      )}
    </>
  );
}
