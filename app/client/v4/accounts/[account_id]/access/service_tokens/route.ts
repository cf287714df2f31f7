import { routeMethods } from "@/lib/api/handler";
import { createServiceTokenRoute, listServiceTokensRoute } from "@/lib/api/resources/service-tokens";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listServiceTokensRoute, POST: createServiceTokenRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
