import { routeMethods } from "@/lib/api/handler";
import { refreshServiceTokenRoute } from "@/lib/api/resources/service-tokens";

export const dynamic = "force-dynamic";

const m = routeMethods({ POST: refreshServiceTokenRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
