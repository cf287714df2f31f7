"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { Card } from "@/components/ui/card";
import { accessSummaryQuery, overviewCountsQuery } from "@/lib/queries/overview";
import { AccessChart, AccessChartPlaceholder } from "./access-chart";

const TILES = [
  { key: "certificates", label: "mTLS certificates", href: "/access-controls/service-credentials/mutual-tls" },
  { key: "policies", label: "Policies", href: "/access-controls/policies" },
  { key: "applications", label: "Applications", href: "/access-controls/applications" },
  { key: "users", label: "Users", href: "/settings" },
] as const;

/**
 * The Overview's counters, prefetched by the page and refreshed every ten seconds while the tab is visible. A failed
 * refresh keeps the last numbers (the next one tries again).
 */
export function LiveCounts() {
  const { data: counts } = useQuery(overviewCountsQuery());
  return (
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
                <p className="mt-1 text-3xl font-semibold tabular-nums">{counts ? counts[t.key] : "–"}</p>
              </Card>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** The Overview's chart of gateway decisions, refreshed like the counters (its first rows stream in with the page). */
export function LiveAccessChart() {
  const { data } = useQuery(accessSummaryQuery());
  return data ? <AccessChart all={data} /> : <AccessChartPlaceholder />;
}
