import { routeMethods } from "@/lib/api/handler";
import { getApplicationRoute, updateApplicationRoute, deleteApplicationRoute } from "@/lib/api/resources/applications";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getApplicationRoute, PUT: updateApplicationRoute, DELETE: deleteApplicationRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
