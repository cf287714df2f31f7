import { routeMethods } from "@/lib/api/handler";
import { deleteCrlRoute, getCrlRoute, putCrlRoute } from "@/lib/api/resources/revocation";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getCrlRoute, PUT: putCrlRoute, DELETE: deleteCrlRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
