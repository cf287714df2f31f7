import { routeMethods } from "@/lib/api/handler";
import { blockCertificateRoute, listBlockedCertificatesRoute } from "@/lib/api/resources/blocked-certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listBlockedCertificatesRoute, POST: blockCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
