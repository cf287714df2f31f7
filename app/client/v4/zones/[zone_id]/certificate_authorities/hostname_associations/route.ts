import { routeMethods } from "@/lib/api/handler";
import { getHostnameAssociationsRoute, putHostnameAssociationsRoute } from "@/lib/api/resources/hostname-associations";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getHostnameAssociationsRoute, PUT: putHostnameAssociationsRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
