import { API_CODES, ApiError, INVALID_REQUEST } from "./errors";

export const MAX_BODY_BYTES = 1024 * 1024;

/** Also answered by proxy.ts from Content-Length, before the route runs. */
export const bodyTooLarge = () =>
  new ApiError(413, [{ code: API_CODES.bodyTooLarge, message: `${INVALID_REQUEST}: The request body is larger than 1 MiB` }]);

/**
 * Read a JSON object body with a hard size limit: refused early from Content-Length, and again while
 * streaming (a chunked or lying client cannot make us buffer more than the limit).
 */
export async function readJsonBody(request: Request, limit = MAX_BODY_BYTES): Promise<Record<string, unknown>> {
  const declared = request.headers.get("content-length");
  if (declared && /^\d+$/.test(declared) && Number(declared) > limit) throw bodyTooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => undefined);
        throw bodyTooLarge();
      }
      chunks.push(value);
    }
  }
  const text = new TextDecoder().decode(concat(chunks, size)).trim();
  if (!text) throw new ApiError(400, [{ code: API_CODES.malformedJson, message: `${INVALID_REQUEST}: The request body is empty; send a JSON object` }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const detail = err instanceof Error ? err.message : "parse error";
    throw new ApiError(400, [{ code: API_CODES.malformedJson, message: `${INVALID_REQUEST}: Malformed JSON in request body (${detail})` }]);
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw new ApiError(400, [{ code: API_CODES.malformedJson, message: `${INVALID_REQUEST}: The request body must be a JSON object` }]);
  }
  return parsed as Record<string, unknown>;
}

/** For routes whose body is optional (rotate, reactivate, revoke): no body is `{}`; a body must still be a JSON object. */
export async function readOptionalJsonBody(request: Request): Promise<Record<string, unknown>> {
  try {
    return await readJsonBody(request);
  } catch (e) {
    if (e instanceof ApiError && e.status === 400 && /request body is empty/.test(e.message)) return {};
    throw e;
  }
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}
