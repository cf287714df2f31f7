/**
 * The access log's query, defined once for the server's prefetch (app/(console)/access-log/page.tsx), the browser's
 * polling (components/access-log/live-access-log.tsx) and the route handler it polls (app/api/console/access-log).
 */
import type { AccessLogDto, AccessLogFilter } from "@/lib/domain/access-log";
import { consoleQuery } from "./client";

/** One page of the log, newest first; `next` is the cursor of the following (older) page. */
export interface AccessLogPage {
  items: AccessLogDto[];
  next: string | null;
}

/** The query parameters of /access-log and of its route handler, in the order addresses are written with. */
export const ACCESS_LOG_PARAMS = ["hostname", "decision", "date", "before"] as const;

/** How often the live list asks for new rows while its tab is visible. */
export const ACCESS_LOG_LIVE_MS = 2_000;

/** The address parameters of a filter (empty values left out), `before` replaced when given. */
export function accessLogSearch(filter: AccessLogFilter, before?: string | null): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of ACCESS_LOG_PARAMS) {
    const v = k === "before" && before !== undefined ? before : filter[k];
    if (v) q.set(k, v);
  }
  return q;
}

/** `live`: poll every ACCESS_LOG_LIVE_MS while the tab is visible. */
export function accessLogQuery(filter: AccessLogFilter, live = false) {
  const search = accessLogSearch(filter).toString();
  return consoleQuery<AccessLogPage>(["access-log", search], `/api/console/access-log${search ? `?${search}` : ""}`, live ? ACCESS_LOG_LIVE_MS : false);
}
