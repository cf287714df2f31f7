import { routeMethods } from "@/lib/api/handler";
import { getCertificateRoute, updateCertificateRoute, deleteCertificateRoute } from "@/lib/api/resources/certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: getCertificateRoute, PUT: updateCertificateRoute, DELETE: deleteCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
