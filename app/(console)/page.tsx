import { HydrationBoundary } from "@tanstack/react-query";
import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { AlertBanner } from "@/components/alerts/alert-banner";
import { AuditTable } from "@/components/audit/audit-table";
import { AccessChartPlaceholder } from "@/components/overview/access-chart";
import { LiveAccessChart, LiveCounts } from "@/components/overview/live-overview";
import { buttonClass } from "@/components/ui/button";
import { EmptyState } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { recentAuditEvents } from "@/lib/domain/audit";
import { loadAccessSummary, loadOverviewCounts } from "@/lib/queries/loaders";
import { accessSummaryQuery, overviewCountsQuery } from "@/lib/queries/overview";
import { loadedBy, prefetch } from "@/lib/queries/server";
import { SignedIn } from "./signed-in";

export const metadata: Metadata = { title: "Overview" };

/** The chart's first rows, loaded on the server after the rest of the page (streamed), then refreshed in the browser. */
async function StreamedAccessChart() {
  const state = await prefetch(loadedBy(accessSummaryQuery(), loadAccessSummary));
  return (
    <HydrationBoundary state={state}>
      <LiveAccessChart />
    </HydrationBoundary>
  );
}

export default async function OverviewPage() {
  // Signed in before any query: the layout's check runs in parallel with this page, not before it.
  await requireUser();
  const [counts, events] = await Promise.all([prefetch(loadedBy(overviewCountsQuery(), loadOverviewCounts)), recentAuditEvents(8)]);
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
      <SignedIn>
        <AlertBanner />
      </SignedIn>
      {/* The counters and the chart refresh on their own (every ten seconds while the tab is visible). */}
      <HydrationBoundary state={counts}>
        <LiveCounts />
      </HydrationBoundary>
      {/* The chart sums a day of gateway decisions: it streams in after the rest of the page. */}
      <Suspense fallback={<AccessChartPlaceholder />}>
        <SignedIn>
          <StreamedAccessChart />
        </SignedIn>
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
