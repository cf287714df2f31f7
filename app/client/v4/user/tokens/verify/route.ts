import { success } from "@/lib/api/envelope";
import { apiRoute, routeMethods } from "@/lib/api/handler";

export const dynamic = "force-dynamic";

/** GET /client/v4/user/tokens/verify — as Cloudflare answers for a valid token. */
const m = routeMethods({
  GET: apiRoute({ account: false }, async ({ auth }) =>
    success(
      { id: auth.token.id, status: "active", ...(auth.token.expiresAt ? { expires_on: auth.token.expiresAt } : {}) },
      { messages: [{ code: 10000, message: "This API Token is valid and active" }] },
    ),
  ),
});
export const { GET, POST, PUT, PATCH, DELETE } = m;
