import http from "node:http";
import https from "node:https";

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
 * failure that names the status); the whole exchange is bounded by `timeoutMs`. Never throws.
 */
export function postWebhook(url: string, body: unknown, opts: { timeoutMs?: number } = {}): Promise<WebhookResult> {
  const timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return Promise.resolve({ ok: false, error: "The webhook URL is not a valid URL" });
  }
  if (target.protocol !== "http:" && target.protocol !== "https:") {
    return Promise.resolve({ ok: false, error: "The webhook URL must use http or https" });
  }
  const payload = Buffer.from(JSON.stringify(body));
  const lib = target.protocol === "https:" ? https : http;
  return new Promise<WebhookResult>((resolve) => {
    let settled = false;
    const finish = (r: WebhookResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(r);
    };
    const req = lib.request(
      target,
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": String(payload.length),
          "user-agent": "Portcullis-Webhook/1",
        },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        // Drain (bounded) so the socket is released; the body itself is not used.
        res.on("data", () => undefined);
        res.on("end", () => {
          if (status >= 200 && status < 300) finish({ ok: true, status });
          else if (status >= 300 && status < 400) finish({ ok: false, status, error: `HTTP ${status}: redirects are not followed` });
          else finish({ ok: false, status, error: `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}` });
        });
        res.on("error", (err) => finish({ ok: false, status, error: err.message }));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, error: `No response within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}` });
      req.destroy();
    }, timeoutMs);
    timer.unref?.();
    req.on("error", (err: NodeJS.ErrnoException) => finish({ ok: false, error: describeError(err, target) }));
    req.end(payload);
  });
}

function describeError(err: NodeJS.ErrnoException, target: URL): string {
  switch (err.code) {
    case "ECONNREFUSED":
      return `Connection refused by ${target.host}`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `Host ${target.hostname} could not be resolved`;
    case "ECONNRESET":
      return `Connection reset by ${target.host}`;
    case "ETIMEDOUT":
      return `Connection to ${target.host} timed out`;
    default:
      return err.code ? `${err.code}: ${err.message}` : err.message;
  }
}
