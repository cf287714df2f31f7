import { routeMethods } from "@/lib/api/handler";
import { listCertificatesRoute, createCertificateRoute } from "@/lib/api/resources/certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listCertificatesRoute, POST: createCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
