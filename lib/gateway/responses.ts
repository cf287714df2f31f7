/** Responses the gateway itself produces: 400, 401 (service token refused), 403, 421 (misdirected) (HTML for browsers, JSON for API clients), 404, 502, 503, 504. */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AccessLogEntry } from "../domain/access-log";
import { hostOf } from "./connection";
import type { PeerInfo } from "./decide";

export const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function wantsJson(req: IncomingMessage): boolean {
  const accept = String(req.headers.accept ?? "");
  return /application\/json/i.test(accept) && !/text\/html/i.test(accept);
}

/** A page of the gateway's own: `title` as its title and h1, then `body` (HTML the caller escaped). */
export function pageHtml(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#0f172a}h1{font-size:1.5rem}p{line-height:1.5}code{background:#f1f5f9;padding:0 .25rem}button{font:inherit;display:block;width:100%;margin:.5rem 0;padding:.6rem 1rem;border:1px solid #94a3b8;border-radius:.375rem;background:#fff;cursor:pointer}button:hover{background:#f1f5f9}</style>
</head><body><main><h1>${esc(title)}</h1>${body}</main></body></html>
`;
}

function page(title: string, lines: string[]): string {
  return pageHtml(title, lines.map((l) => `<p>${esc(l)}</p>`).join(""));
}

export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: 400 | 401 | 403 | 404 | 421 | 502 | 503 | 504,
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

export const UNAUTHORIZED = {
  title: "Unauthorized",
  message: "The service token credentials (CF-Access-Client-Id and CF-Access-Client-Secret) were not accepted.",
};

/** The 421 answer (and its log row) for a Host whose trust store is not the TLS server name's. */
export function refuseMisdirected(req: IncomingMessage, res: ServerResponse, sink: (e: AccessLogEntry) => void, hostname: string, ip: string, peer: PeerInfo, why: string, at: Date): void {
  sink({ at, hostname, applicationId: null, applicationName: null, clientCn: null, serialNumber: null, decision: "deny", policyId: null, policyName: null, reason: `Misdirected request: ${why}`, ip: ip || null, chain: peer.chain });
  sendError(req, res, 421, { title: "Misdirected request", message: why, hostname });
}

/** A request whose handling threw: 503 unless the answer has started (then the connection is closed). */
export function failed(req: IncomingMessage, res: ServerResponse, e: Error): void {
  console.error("[gateway] request failed:", e.message);
  if (!res.headersSent) sendError(req, res, 503, { title: "Unavailable", message: "The gateway could not decide this request; try again.", hostname: hostOf(req, "") });
  else res.destroy();
}
