import { routeMethods } from "@/lib/api/handler";
import { getHostnameSettingsRoute, updateHostnameSettingsRoute } from "@/lib/api/resources/certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getHostnameSettingsRoute, PUT: updateHostnameSettingsRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
