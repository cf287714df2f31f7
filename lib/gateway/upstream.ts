/**
 * The gateway's origin side: one undici keep-alive pool per origin (scheme://host:port), and the proxying of one
 * allowed request into it, the response written straight into the client's ServerResponse.
 */
import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import { Pool, type Dispatcher } from "undici";
import { clientResponseHeaderList } from "./headers";
import { sendError } from "./responses";
import { isUpgrade, proxyUpgrade } from "./websocket";

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
/** The response's ProxyHandler, for the shared "close" listener (no closure per request). */
const HANDLER = Symbol("proxy handler");
type WithHandler = ServerResponse & { [HANDLER]?: ProxyHandler };
function onClientClose(this: WithHandler): void {
  this[HANDLER]?.clientClosed();
}
function resumeAfterDrain(this: ServerResponse, resume: (() => void) | null): void {
  resume?.();
}

class ProxyHandler implements Dispatcher.DispatchHandler {
  private abortUpstream: ((err?: Error) => void) | null = null;
  private resumeUpstream: (() => void) | null = null;
  private done = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly setCookie: string | null,
    private readonly hostname: string,
    private readonly timeoutMs: number,
  ) {}

  /** The client went away before the response was complete: stop the origin request. */
  clientClosed(): void {
    if (this.done || this.res.writableFinished) return;
    this.done = true;
    this.abortUpstream?.();
  }

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
    this.res.once("drain", resumeAfterDrain.bind(this.res, this.resumeUpstream));
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
    if (res.headersSent || res.destroyed) {
      // Mid-response (the origin reset or went away): close the client's connection so it sees the answer is cut short.
      res.destroy();
      return;
    }
    if ((e as { code?: string }).code === "UND_ERR_HEADERS_TIMEOUT") {
      sendError(this.req, res, 504, { title: "Gateway timeout", message: `The origin did not answer within ${this.timeoutMs / 1000} seconds.`, hostname: this.hostname });
    } else {
      sendError(this.req, res, 502, { title: "Bad gateway", message: `The origin could not be reached (${e.message}).`, hostname: this.hostname });
    }
  }
}

/**
 * The pools, kept across configuration reloads; per origin URL (one per compiled application, rebuilt on reload)
 * the pool and path prefix, computed once.
 */
export class Upstreams {
  private readonly pools = new Map<string, Pool>();
  private readonly byUrl = new WeakMap<URL, Upstream>();
  private readonly timeoutMs: number;

  /** `originTimeoutMs`: how long the origin may take to send its response headers (then 504); lib/gateway/limits. */
  constructor(opts: { originTimeoutMs?: number } = {}) {
    this.timeoutMs = opts.originTimeoutMs ?? 100_000;
  }

  private of(origin: URL): Upstream {
    let u = this.byUrl.get(origin);
    if (!u) {
      const key = origin.origin;
      let pool = this.pools.get(key);
      if (!pool) {
        // The response headers within the origin timeout (504 otherwise); no body timeout: a slow download that is
        // under way is the origin's business.
        pool = new Pool(key, { connections: 256, headersTimeout: this.timeoutMs, bodyTimeout: 0 });
        this.pools.set(key, pool);
      }
      u = { pool, base: origin.pathname.replace(/\/$/, "") };
      this.byUrl.set(origin, u);
    }
    return u;
  }

  /**
   * Send an allowed request to `origin` (the compiled application's URL object). `target` is the normalised path and
   * query (lib/access/path): the origin gets the path the decision was made on, never the raw request target.
   */
  proxy(req: IncomingMessage, res: ServerResponse, origin: URL, target: string, headers: OutgoingHttpHeaders, setCookie: string | null, hostname: string): void {
    const u = this.of(origin);
    if (isUpgrade(req)) {
      // A WebSocket (or other Upgrade) request the decision allowed: its own connection to the origin (./websocket).
      proxyUpgrade(req, res, new URL(u.base ? `${u.base}${target}` : target, origin), headers, hostname, this.timeoutMs);
      return;
    }
    // undici refuses Expect (this server already answered the client's 100-continue).
    if (headers.expect !== undefined) delete headers.expect;
    const handler = new ProxyHandler(req, res, setCookie, hostname, this.timeoutMs);
    (res as WithHandler)[HANDLER] = handler;
    // "close" is emitted once per response: a plain listener, without once()'s wrapper.
    res.on("close", onClientClose);
    // A request without a body (no Content-Length, no Transfer-Encoding: GET, HEAD…) sends none.
    const h = req.headers;
    const body = h["content-length"] === undefined && h["transfer-encoding"] === undefined ? null : req;
    u.pool.dispatch({ method: req.method ?? "GET", path: u.base ? `${u.base}${target}` : target, headers: headers as Record<string, string | string[]>, body }, handler);
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.destroy()));
  }
}
