import { loadAccessSummary } from "@/lib/queries/loaders";
import { consoleGet } from "@/lib/queries/route";

export const dynamic = "force-dynamic";

/** GET /api/console/overview/access-summary — allowed and blocked requests per application, last 24 hours (the Overview chart). */
export const GET = consoleGet("the gateway decisions", () => loadAccessSummary());
