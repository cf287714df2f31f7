/**
 * The webhook HTTP client: undici's `request` (the maintained client behind Node's fetch, already a dependency for the
 * gateway's upstream pool) instead of hand-written http/https plumbing. Not the global fetch: inside Next.js that is
 * patched for caching and tracing, and undici's request does not follow redirects unless told to.
 */
import { STATUS_CODES } from "node:http";
import { request } from "undici";

export interface WebhookResult {
  ok: boolean;
  /** HTTP status, when the receiver answered. */
  status?: number;
  /** What went wrong, in words an admin can act on (no stack traces). */
  error?: string;
}

export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POST a JSON document to a webhook receiver. 2xx is success; redirects are not followed (a 3xx is a
 * failure that names the status); the whole exchange, the answer's body included, is bounded by `timeoutMs`.
 * Never throws.
 */
export async function postWebhook(url: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<WebhookResult> {
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return { ok: false, error: "The webhook URL is not a valid URL" };
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return { ok: false, error: "The webhook URL must use http or https" };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const res = await request(target, {
      method: "POST",
      headers: { "content-type": "application/json", "user-agent": "Portcullis-Webhook/1" },
      body: JSON.stringify(body),
      signal,
    });
    // Read to the end (the body itself is not used) so the connection goes back to the pool.
    await res.body.dump({ limit: 1 << 20, signal });
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status };
    if (status >= 300 && status < 400) return { ok: false, status, error: `HTTP ${status}: redirects are not followed` };
    // undici does not pass the receiver's reason phrase on: the standard one for the status.
    const reason = STATUS_CODES[status];
    return { ok: false, status, error: `HTTP ${status}${reason ? ` ${reason}` : ""}` };
  } catch (err) {
    if (signal.aborted) return { ok: false, error: `No response within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}` };
    return { ok: false, error: describeError(err as NodeJS.ErrnoException, target) };
  }
}

/** A transport error in words an admin can act on (shared with ./fetch-bounded). */
export function describeError(err: NodeJS.ErrnoException, target: URL): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return `Connection refused by ${target.host}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Host ${target.hostname} could not be resolved`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `Connection reset by ${target.host}`;
    case "ETIMEDOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return `Connection to ${target.host} timed out`;
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}
