/**
 * The Overview's live parts, defined once for the server's prefetch (app/(console)/page.tsx and the chart's streamed
 * section) and the browser's refresh: the counters and the last day's gateway decisions per application.
 */
import type { AccessSummaryRow } from "@/lib/domain/access-log";
import type { OverviewCounts } from "@/lib/domain/overview";
import { consoleQuery } from "./client";

/** How often the Overview refreshes its counters and chart while its tab is visible. */
export const OVERVIEW_REFRESH_MS = 10_000;

export const overviewCountsQuery = () => consoleQuery<OverviewCounts>(["overview", "counts"], "/api/console/overview", OVERVIEW_REFRESH_MS);

export const accessSummaryQuery = () => consoleQuery<AccessSummaryRow[]>(["overview", "access-summary"], "/api/console/overview/access-summary", OVERVIEW_REFRESH_MS);
