/**
 * Cloudflare v4 envelopes. Success: `{success:true, errors:[], messages:[], result}` (+ `result_info` on lists).
 * Failure: `{success:false, errors:[{code,message}], messages:[], result:null}`. Always application/json: the
 * official SDK parses a body only when the content type says JSON.
 */
export interface ApiMessage {
  code: number;
  message: string;
  source?: { pointer: string };
}

export interface ResultInfo {
  page: number;
  per_page: number;
  count: number;
  total_count: number;
  total_pages: number;
}

export const JSON_CONTENT_TYPE = "application/json; charset=utf-8";

export function jsonResponse(body: unknown, status: number, headers?: HeadersInit): Response {
  const h = new Headers(headers);
  h.set("content-type", JSON_CONTENT_TYPE);
  if (!h.has("cache-control")) h.set("cache-control", "no-store");
  return new Response(status === 204 ? null : JSON.stringify(body), { status, headers: h });
}

export function successBody(result: unknown, opts: { resultInfo?: ResultInfo; messages?: ApiMessage[] } = {}) {
  return {
    success: true as const,
    errors: [] as ApiMessage[],
    messages: opts.messages ?? [],
    result,
    ...(opts.resultInfo ? { result_info: opts.resultInfo } : {}),
  };
}

export function success(
  result: unknown,
  opts: { status?: number; resultInfo?: ResultInfo; messages?: ApiMessage[]; headers?: HeadersInit } = {},
): Response {
  return jsonResponse(successBody(result, opts), opts.status ?? 200, opts.headers);
}

export function failureBody(errors: ApiMessage[]) {
  return { success: false as const, errors, messages: [] as ApiMessage[], result: null };
}

/** Longest quoted value an error message repeats back, and the longest message. */
export const MAX_QUOTED_CHARS = 80;
export const MAX_MESSAGE_CHARS = 1000;

/**
 * Validation messages quote what was sent (`"<value>" is not a valid hostname`): a huge value is shortened
 * so that an error never echoes a megabyte of input back, and the explanation after it stays readable.
 */
export function shortenMessage(message: string): string {
  const short = message.replace(new RegExp(`"([^"]{${MAX_QUOTED_CHARS + 1},})"`, "g"), (_, v: string) => `"${v.slice(0, MAX_QUOTED_CHARS)}…"`);
  return short.length > MAX_MESSAGE_CHARS ? `${short.slice(0, MAX_MESSAGE_CHARS)}…` : short;
}

export function failure(status: number, errors: ApiMessage[], headers?: HeadersInit): Response {
  errors = errors.map((e) => (e.message.length > MAX_QUOTED_CHARS ? { ...e, message: shortenMessage(e.message) } : e));
  const h = new Headers(headers);
  // The SDK retries 408/409/429/5xx unless told otherwise; a refused request must not be re-sent blindly.
  if (status === 409 && !h.has("x-should-retry")) h.set("x-should-retry", "false");
  return jsonResponse(failureBody(errors.length ? errors : [{ code: 10001, message: "Unknown error" }]), status, h);
}
