import { loadOpenAlerts } from "@/lib/queries/loaders";
import { consoleGet } from "@/lib/queries/route";

export const dynamic = "force-dynamic";

/** GET /api/console/alerts — how many alerts are open (the sidebar's badge). */
export const GET = consoleGet("the open alerts", () => loadOpenAlerts());
