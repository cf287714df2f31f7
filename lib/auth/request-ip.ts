/**
 * The client's address, as recorded in the audit log and keyed by the sign-in throttle.
 *
 * Without PORTCULLIS_TRUST_PROXY no forwarding header can be believed: `npm start` (scripts/serve.mjs)
 * overwrites X-Forwarded-For with the socket's address and drops X-Real-IP before the app sees the
 * request, so the one entry left is the connection's own address. X-Real-IP is ignored here, and of a
 * list only the right-most entry (the hop closest to us) is taken, in case the app runs some other way.
 *
 * With PORTCULLIS_TRUST_PROXY set, a reverse proxy in front is trusted to set X-Forwarded-For (its
 * left-most entry is the original client) or else X-Real-IP.
 */
import { env } from "../env.mjs";

export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const v = headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const trustProxy = env().PORTCULLIS_TRUST_PROXY ?? false;
  const parts = (get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const chosen = trustProxy ? (parts[0] ?? get("x-real-ip")?.trim()) : parts[parts.length - 1];
  return chosen ? chosen.replace(/^::ffff:/, "") : "unknown";
}
