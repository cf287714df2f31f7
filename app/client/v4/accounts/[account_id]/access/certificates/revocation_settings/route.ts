import { routeMethods } from "@/lib/api/handler";
import { listRevocationSettingsRoute, updateRevocationSettingsRoute } from "@/lib/api/resources/revocation";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listRevocationSettingsRoute, PUT: updateRevocationSettingsRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
