import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AlertBanner } from "@/components/alerts/alert-banner";
import { AuditTable } from "@/components/audit/audit-table";
import { AccessChart, AccessChartPlaceholder } from "@/components/gateway/access-chart";
import { buttonClass } from "@/components/ui/button";
import { Card, EmptyState } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { recentAuditEvents } from "@/lib/domain/audit-log";
import { overviewCounts } from "@/lib/domain/overview";

export const metadata: Metadata = { title: "Overview" };

const TILES = [
  { key: "certificates", label: "mTLS certificates", href: "/access-controls/service-credentials/mutual-tls" },
  { key: "policies", label: "Policies", href: "/access-controls/policies" },
  { key: "applications", label: "Applications", href: "/access-controls/applications" },
  { key: "users", label: "Users", href: "/settings" },
] as const;

export default async function OverviewPage() {
  const [counts, events] = await Promise.all([overviewCounts(), recentAuditEvents(8)]);
  return (
    <>
      <PageHeader
        title="Overview"
        description="Mutual-TLS access control for your self-hosted applications."
        actions={
          <Link href="/access-controls/mtls-setup" className={buttonClass("primary")}>
            Set up mutual TLS
          </Link>
        }
      />
      <AlertBanner />
      <section aria-labelledby="counts-heading" className="mb-8">
        <h2 id="counts-heading" className="sr-only">
          Counts
        </h2>
        <ul className="grid grid-cols-2 gap-4 lg:grid-cols-4">
          {TILES.map((t) => (
            <li key={t.key}>
              <Link href={t.href} className="block">
                <Card className="hover:border-brand-500">
                  <p className="text-sm text-slate-600 dark:text-slate-400">{t.label}</p>
                  <p className="mt-1 text-3xl font-semibold tabular-nums">{counts[t.key]}</p>
                </Card>
              </Link>
            </li>
          ))}
        </ul>
      </section>
      {/* The chart sums a day of gateway decisions: it streams in after the rest of the page. */}
      <Suspense fallback={<AccessChartPlaceholder />}>
        <AccessChart />
      </Suspense>
      <section aria-labelledby="recent-heading">
        <div className="mb-3 flex items-baseline justify-between">
          <h2 id="recent-heading" className="text-lg font-semibold">
            Recent activity
          </h2>
          <Link href="/audit-log" className="text-sm text-brand-600 hover:underline dark:text-brand-100">
            View the audit log
          </Link>
        </div>
        {events.length ? <AuditTable events={events} caption="Recent audit events" /> : <EmptyState title="No activity yet" />}
      </section>
    </>
  );
}
