import { routeMethods } from "@/lib/api/handler";
import { createClientCertificateRoute, listClientCertificatesRoute } from "@/lib/api/resources/client-certificates";

export const dynamic = "force-dynamic";

const m = routeMethods({ GET: listClientCertificatesRoute, POST: createClientCertificateRoute });
export const { GET, POST, PUT, PATCH, DELETE } = m;
