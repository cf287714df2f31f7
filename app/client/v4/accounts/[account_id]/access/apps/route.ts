import { routeMethods } from "@/lib/api/handler";
import { listApplicationsRoute, createApplicationRoute } from "@/lib/api/resources/applications";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listApplicationsRoute, POST: createApplicationRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
