/**
 * The gateway's origin side: one undici keep-alive pool per origin (scheme://host:port), and the proxying of one
 * allowed request into it, the response written straight into the client's ServerResponse.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Pool, type Dispatcher } from "undici";
import { clientResponseHeaderList } from "./headers";
import { sendError } from "./responses";

interface Upstream {
  /** keep-alive connections to the origin (scheme://host:port), shared by the applications using it */
  pool: Pool;
  /** the origin URL's path prefix, without its trailing slash */
  base: string;
}

/**
 * One proxied request: undici's response callbacks write straight into the client's ServerResponse (raw headers
 * filtered into a flat list, body chunks with backpressure), and an origin failure becomes the 502 page.
 */
class ProxyHandler implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly setCookie: string | null,
    private readonly hostname: string,
  ) {}

  /** The client went away before the response was complete: stop the origin request. */
  readonly clientClosed = (): void => {
    if (this.done || this.res.writableFinished) return;
    this.done = true;
    this.abortUpstream?.();
  };

  private readonly drained = (): void => this.resumeUpstream?.();

  onConnect(abort: (err?: Error) => void): void {
    this.abortUpstream = abort;
    if (this.res.destroyed) abort();
  }

  onHeaders(statusCode: number, raw: Buffer[], resume: () => void, statusText: string): boolean {
    // 1xx informational responses are not relayed (the client's 100-continue was answered by this server).
    if (statusCode < 200) return true;
    this.resumeUpstream = resume;
    const out = clientResponseHeaderList(raw);
    if (this.setCookie) out.push("set-cookie", this.setCookie);
    this.res.writeHead(statusCode, statusText || undefined, out);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.res.write(chunk)) return true;
    this.res.once("drain", this.drained);
    return false;
  }

  onComplete(): void {
    this.done = true;
    this.res.end();
  }

  onError(e: Error): void {
    if (this.done) return;
    this.done = true;
    const res = this.res;
    if (!res.headersSent && !res.destroyed) sendError(this.req, res, 502, { title: "Bad gateway", message: `The origin could not be reached (${e.message}).`, hostname: this.hostname });
    else res.destroy();
  }
}

/**
 * The pools, kept across configuration reloads; per origin URL (one per compiled application, rebuilt on reload)
 * the pool and path prefix, computed once.
 */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private readonly byUrl = new WeakMap<URL, Upstream>();

  private of(origin: URL): Upstream {
    let u = this.byUrl.get(origin);
    if (!u) {
      const key = origin.origin;
      let pool = this.pools.get(key);
      if (!pool) {
        // No header/body timeouts (as the http.Agent it replaces): long polls and slow downloads are the origin's business.
        pool = new Pool(key, { connections: 256, headersTimeout: 0, bodyTimeout: 0 });
        this.pools.set(key, pool);
      }
      u = { pool, base: origin.pathname.replace(/\/$/, "") };
      this.byUrl.set(origin, u);
    }
    return u;
  }

  /** Send an allowed request to `origin` (the compiled application's URL object). */
  proxy(req: IncomingMessage, res: ServerResponse, origin: URL, headers: OutgoingHttpHeaders, setCookie: string | null, hostname: string): void {
    const u = this.of(origin);
    // undici refuses Expect (this server already answered the client's 100-continue).
    if (headers.expect !== undefined) delete headers.expect;
    const handler = new ProxyHandler(req, res, setCookie, hostname);
    res.once("close", handler.clientClosed);
    // A request without a body (no Content-Length, no Transfer-Encoding: GET, HEAD…) sends none.
    const h = req.headers;
    const body = h["content-length"] === undefined && h["transfer-encoding"] === undefined ? null : req;
    u.pool.dispatch({ method: req.method ?? "GET", path: u.base ? `${u.base}${req.url || "/"}` : req.url || "/", headers: headers as Record<string, string | string[]>, body }, handler);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
  }
}
