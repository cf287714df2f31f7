/**
 * Server only: how each console query's data is read from the database. The GET route handlers under
 * app/api/console answer with these, and server components prefetch with them (lib/queries/server.ts), so the page
 * the browser receives and the data it polls afterwards come from the same function.
 */
import { accessLogFilterSchema, accessSummary, listAccessLog, type AccessLogFilter, type AccessSummaryRow } from "@/lib/domain/access-log";
import { activeAlerts } from "@/lib/domain/alerts";
import { overviewCounts, type OverviewCounts } from "@/lib/domain/overview";
import { listFilter } from "@/lib/list-query";
import { ACCESS_LOG_PARAMS, type AccessLogPage } from "./access-log";
import type { OpenAlerts } from "./alerts";

type Raw = Record<string, string | string[] | undefined>;

/** The access log's filters from an address's parameters (the page and the route handler read them alike). */
export function accessLogFilter(raw: Raw) {
  return listFilter(raw, ACCESS_LOG_PARAMS, accessLogFilterSchema);
}

export async function loadAccessLog(filter: AccessLogFilter): Promise<AccessLogPage> {
  const { items, next } = await listAccessLog(filter);
  return { items, next };
}

export const loadOverviewCounts = (): Promise<OverviewCounts> => overviewCounts();

/** The Overview chart's window. */
export const ACCESS_SUMMARY_HOURS = 24;
export const loadAccessSummary = (): Promise<AccessSummaryRow[]> => accessSummary(ACCESS_SUMMARY_HOURS);

export async function loadOpenAlerts(): Promise<OpenAlerts> {
  return { open: (await activeAlerts()).length };
}
