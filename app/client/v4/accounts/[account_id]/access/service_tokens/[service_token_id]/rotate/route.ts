import { routeMethods } from "@/lib/api/handler";
import { rotateServiceTokenRoute } from "@/lib/api/resources/service-tokens";

export const dynamic = "force-dynamic";

const m = routeMethods({ POST: rotateServiceTokenRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
