/** Responses the gateway itself produces: 403 (HTML for browsers, JSON for API clients), 404, 502. */
import type { IncomingMessage, ServerResponse } from "node:http";

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function wantsJson(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? "");
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

function page(title: string, lines: string[]): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#0f172a}h1{font-size:1.5rem}p{line-height:1.5}code{background:#f1f5f9;padding:0 .25rem}</style>
</head><body><main><h1>${esc(title)}</h1>${lines.map((l) => `<p>${esc(l)}</p>`).join("")}</main></body></html>
`;
}

export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: 403 | 404 | 502 | 503,
  detail: { title: string; message: string; reason?: string; hostname: string },
): void {
  const json = wantsJson(req);
  const body = json
    ? JSON.stringify({ success: false, status, error: detail.title, message: detail.message, reason: detail.reason ?? null, hostname: detail.hostname }) + "\n"
    : page(detail.title, [detail.message, ...(detail.reason ? [`Reason: ${detail.reason}`] : []), `Hostname: ${detail.hostname}`]);
  res.writeHead(status, {
    "content-type": json ? "application/json; charset=utf-8" : "text/html; charset=utf-8",
    "content-length": Buffer.byteLength(body),
    "cache-control": "no-store",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

export const FORBIDDEN = {
  title: "Forbidden",
  message: "Access to this application requires a valid client certificate that one of its policies allows.",
};
