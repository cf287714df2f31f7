import { routeMethods } from "@/lib/api/handler";
import { getBlockedCertificateRoute, unblockCertificateRoute } from "@/lib/api/resources/blocked-certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getBlockedCertificateRoute, DELETE: unblockCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
