import { jsonResponse } from "@/lib/api/envelope";
import { routeMethods } from "@/lib/api/handler";
import { buildOpenApiDocument } from "@/lib/openapi/document";

export const dynamic = "force-static";

/** GET /client/v4/openapi.json — the OpenAPI 3.1 description of this API (public, no secrets). */
const m = routeMethods({
  GET: async () => jsonResponse(buildOpenApiDocument(), 200, { "cache-control": "public, max-age=300" }),
});
export const { GET, POST, PUT, PATCH, DELETE } = m;
