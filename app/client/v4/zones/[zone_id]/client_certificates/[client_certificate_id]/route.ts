import { routeMethods } from "@/lib/api/handler";
import { getClientCertificateRoute, reactivateClientCertificateRoute, revokeClientCertificateRoute } from "@/lib/api/resources/client-certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getClientCertificateRoute, PATCH: reactivateClientCertificateRoute, DELETE: revokeClientCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
