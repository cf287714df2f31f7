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

export function failure(status: number, errors: ApiMessage[], headers?: HeadersInit): Response {
  const h = new Headers(headers);
  // The SDK retries 408/409/429/5xx unless told otherwise; a refused request must not be re-sent blindly.
  if (status === 409 && !h.has("x-should-retry")) h.set("x-should-retry", "false");
  return jsonResponse(failureBody(errors.length ? errors : [{ code: 10001, message: "Unknown error" }]), status, h);
}
