import { HydrationBoundary } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { openAlertsQuery } from "@/lib/queries/alerts";
import { loadOpenAlerts } from "@/lib/queries/loaders";
import { loadedBy, prefetch } from "@/lib/queries/server";

/**
 * Server: the sidebar's live data (the open-alert count next to Alerts), loaded with the console layout so that the
 * badge is in the first paint; the sidebar then refreshes it (lib/queries/alerts.ts). A failure to count leaves the
 * badge out rather than the console: the browser asks again on its next refresh.
 */
export async function SidebarData({ children }: { children: ReactNode }) {
  const state = await prefetch(loadedBy(openAlertsQuery(), loadOpenAlerts)).catch((err: unknown) => {
    console.error("[sidebar] counting open alerts failed:", err instanceof Error ? err.message : err);
    return undefined;
  });
  return <HydrationBoundary state={state}>{children}</HydrationBoundary>;
}
