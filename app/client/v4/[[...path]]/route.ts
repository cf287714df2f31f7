import { failure } from "@/lib/api/envelope";
import { API_CODES } from "@/lib/api/errors";

export const dynamic = "force-dynamic";

/** Anything under /client/v4 that no route serves: a JSON 404 in the envelope, never an HTML page. */
async function noRoute(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  return failure(404, [{ code: API_CODES.noRoute, message: `No route for that URI: ${request.method} ${path}` }]);
}

export const GET = noRoute;
export const POST = noRoute;
export const PUT = noRoute;
export const PATCH = noRoute;
export const DELETE = noRoute;
