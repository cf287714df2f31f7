/** The sign-in flow's own pages (HTML) and JSON answers, in the gateway's page style (../responses). */
import type { IncomingMessage, ServerResponse } from "node:http";
import { esc, pageHtml } from "../responses";

/** A browser: its Accept names text/html. Anything else (API clients, curl's default) gets JSON, never a redirect. */
export function isBrowser(req: IncomingMessage): boolean {
  return /text\/html/i.test(String(req.headers.accept ?? ""));
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string | string[]> = {}) {
  res.writeHead(status, { "content-type": type, "content-length": Buffer.byteLength(body), "cache-control": "no-store", ...extra });
  res.end(req.method === "HEAD" ? undefined : body);
}

export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, title: string, bodyHtml: string, extra?: Record<string, string | string[]>) {
  send(req, res, status, "text/html; charset=utf-8", pageHtml(title, bodyHtml), extra);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, extra?: Record<string, string | string[]>) {
  send(req, res, status, "application/json; charset=utf-8", `${JSON.stringify(value)}\n`, extra);
}

/** A page of sentences (escaped), with an optional link back. */
export function sendMessage(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  title: string,
  lines: string[],
  opts: { link?: { href: string; text: string }; headers?: Record<string, string | string[]>; hostname?: string } = {},
) {
  if (!isBrowser(req)) {
    sendJson(req, res, status, { success: status < 400, status, error: title, message: lines.join(" "), hostname: opts.hostname ?? null }, opts.headers);
    return;
  }
  const link = opts.link ? `<p><a href="${esc(opts.link.href)}">${esc(opts.link.text)}</a></p>` : "";
  sendHtml(req, res, status, title, lines.map((l) => `<p>${esc(l)}</p>`).join("") + link, opts.headers);
}

/** The chooser: "Sign in to APP", one button per login method (a GET form back to the login URL with `idp`). */
export function sendChooser(req: IncomingMessage, res: ServerResponse, appName: string, loginPath: string, redirectUrl: string, methods: { id: string; name: string }[]) {
  const buttons = methods
    .map((m) => `<button type="submit" name="idp" value="${esc(m.id)}">${esc(m.name)}</button>`)
    .join("");
  const body = `<p>Choose how to sign in.</p><form method="get" action="${esc(loginPath)}"><input type="hidden" name="redirect_url" value="${esc(redirectUrl)}">${buttons}</form>`;
  sendHtml(req, res, 200, `Sign in to ${appName}`, body);
}
