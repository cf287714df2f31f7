/**
 * A bounded HTTP exchange for revocation data (CRL downloads, OCSP queries): http and https only, the whole exchange
 * within a timeout (10 s by default), the body at most `maxBytes` (20 MiB by default), redirects followed only to
 * http(s) URLs and at most 3 times. Internal addresses are allowed on purpose: internal CAs publish their CRLs and
 * responders there (docs/architecture.md says so). undici's `request`, as the webhook client (./webhook).
 */
import { STATUS_CODES } from "node:http";
import { request } from "undici";
import { describeError } from "./webhook";

export const FETCH_TIMEOUT_MS = 10_000;
export const FETCH_MAX_BYTES = 20 * 1024 * 1024;
const MAX_REDIRECTS = 3;

export type BoundedResult = { ok: true; status: number; body: Uint8Array; url: string } | { ok: false; error: string; status?: number };

export interface BoundedOptions {
  method?: "GET" | "POST";
  body?: Uint8Array;
  headers?: Record<string, string>;
  timeoutMs?: number;
  maxBytes?: number;
}

function httpUrl(raw: string | URL): URL | null {
  try {
    const u = new URL(raw);
    return u.protocol === "http:" || u.protocol === "https:" ? u : null;
  } catch {
    return null;
  }
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`);

/** Never throws: a failure is a sentence naming what went wrong. */
export async function fetchBounded(url: string, opts: BoundedOptions = {}): Promise<BoundedResult> {
  const timeoutMs = opts.timeoutMs ?? FETCH_TIMEOUT_MS;
  const maxBytes = opts.maxBytes ?? FETCH_MAX_BYTES;
  let target = httpUrl(url);
  if (!target) return { ok: false, error: "The URL must be an http or https URL" };
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    for (let hop = 0; ; hop++) {
      const res = await request(target, { method: opts.method ?? "GET", headers: { "user-agent": "Portcullis/1", ...opts.headers }, body: opts.body, signal });
      const status = res.statusCode;
      if (status >= 300 && status < 400 && res.headers.location) {
        await res.body.dump({ limit: 1 << 20, signal });
        const next = httpUrl(new URL(String(res.headers.location), target));
        if (!next) return { ok: false, status, error: `HTTP ${status}: a redirect to something other than http or https is not followed` };
        if (hop >= MAX_REDIRECTS) return { ok: false, status, error: `More than ${MAX_REDIRECTS} redirects` };
        target = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        await res.body.dump({ limit: 1 << 20, signal });
        const reason = STATUS_CODES[status];
        return { ok: false, status, error: `HTTP ${status}${reason ? ` ${reason}` : ""} from ${target.host}` };
      }
      const declared = Number(res.headers["content-length"] ?? NaN);
      if (declared > maxBytes) {
        res.body.destroy();
        return { ok: false, status, error: `The answer is larger than ${maxBytes / 1024 / 1024} MiB` };
      }
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of res.body) {
        size += (chunk as Uint8Array).length;
        if (size > maxBytes) {
          res.body.destroy();
          return { ok: false, status, error: `The answer is larger than ${maxBytes / 1024 / 1024} MiB` };
        }
        chunks.push(chunk as Uint8Array);
      }
      return { ok: true, status, body: new Uint8Array(Buffer.concat(chunks)), url: target.href };
    }
  } catch (err) {
    if (signal.aborted) return { ok: false, error: `No complete answer from ${target.host} within ${seconds(timeoutMs)}` };
    return { ok: false, error: describeError(err as NodeJS.ErrnoException, target) };
  }
}
