import { loadOverviewCounts } from "@/lib/queries/loaders";
import { consoleGet } from "@/lib/queries/route";

export const dynamic = "force-dynamic";

/** GET /api/console/overview — the Overview's counters (certificates, policies, applications, users). */
export const GET = consoleGet("the counts", () => loadOverviewCounts());
