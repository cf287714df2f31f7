import { accessLogFilter, loadAccessLog } from "@/lib/queries/loaders";
import { consoleGet, InvalidQuery, rawParams } from "@/lib/queries/route";

export const dynamic = "force-dynamic";

/** GET /api/console/access-log?hostname=&decision=&date=&before= — one page of gateway decisions (the live access log). */
export const GET = consoleGet("the access log", async (params) => {
  const { filter, valid, fieldErrors } = accessLogFilter(rawParams(params));
  return valid ? loadAccessLog(filter) : new InvalidQuery(fieldErrors);
});
