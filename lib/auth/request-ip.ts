/**
 * The client's address. Next.js sets X-Forwarded-For to the socket address only when the header is
 * absent, so behind no proxy a client could forge it: we take the left-most entry only when
 * PORTCULLIS_TRUST_PROXY is set, and otherwise the right-most (closest hop).
 */
export function clientIp(headers: Headers | Record<string, string | string[] | undefined>): string {
  const get = (name: string): string | undefined => {
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const v = headers[name];
    return Array.isArray(v) ? v.join(",") : v;
  };
  const xff = get("x-forwarded-for");
  if (!xff) return get("x-real-ip") ?? "unknown";
  const parts = xff.split(",").map((s) => s.trim()).filter(Boolean);
  if (!parts.length) return "unknown";
  return (process.env.PORTCULLIS_TRUST_PROXY ? parts[0] : parts[parts.length - 1]).replace(/^::ffff:/, "");
}
