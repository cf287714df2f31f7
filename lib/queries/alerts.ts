/**
 * The number of open alerts next to the sidebar's Alerts link, defined once for the console layout's prefetch and the
 * browser's refresh.
 */
import { consoleQuery } from "./client";

export interface OpenAlerts {
  /** Alert conditions that hold now (what the Alerts page lists once it has brought the stored alerts up to date). */
  open: number;
}

/** Alerts change with certificates and the clock, not by the second: a slow refresh is enough. */
export const OPEN_ALERTS_REFRESH_MS = 30_000;

export const openAlertsQuery = () => consoleQuery<OpenAlerts>(["alerts", "open"], "/api/console/alerts", OPEN_ALERTS_REFRESH_MS);
