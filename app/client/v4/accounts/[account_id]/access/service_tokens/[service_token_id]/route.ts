import { routeMethods } from "@/lib/api/handler";
import { deleteServiceTokenRoute, getServiceTokenRoute, updateServiceTokenRoute } from "@/lib/api/resources/service-tokens";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getServiceTokenRoute, PUT: updateServiceTokenRoute, DELETE: deleteServiceTokenRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
