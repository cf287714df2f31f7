/**
 * Server only: the console's GET route handlers (app/api/console/**), which the browser polls for live data. Each
 * requires a signed-in console user (any role: they only read), exactly like the pages: proxy.ts refuses a request
 * without a verified session cookie first, and here the session row and user are checked against the database
 * (an ended session, a deleted user). Answers are JSON and never cached; nothing ends in a 500.
 */
import { currentUser } from "@/lib/auth/session";
import { SESSION_ENDED, type ConsoleError } from "./client";

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** What a loader returns to refuse the request's parameters (400). */
export class InvalidQuery {
  constructor(readonly fieldErrors: Record<string, string[]>) {}
}

/** The message of a 400: each refused parameter with its reason. */
export function invalidQueryMessage(fieldErrors: Record<string, string[]>): string {
  const parts = Object.entries(fieldErrors).map(([k, msgs]) => `${k}: ${msgs.join("; ")}`);
  return `Invalid query parameters (${parts.join(", ")}).`;
}

/** A GET handler answering `load(search parameters)` as JSON to signed-in users. */
export function consoleGet<T>(what: string, load: (params: URLSearchParams) => Promise<T | InvalidQuery>) {
  return async function GET(request: Request): Promise<Response> {
    try {
      if (!(await currentUser())) return json(401, { error: SESSION_ENDED } satisfies ConsoleError);
      const out = await load(new URL(request.url).searchParams);
      if (out instanceof InvalidQuery) return json(400, { error: invalidQueryMessage(out.fieldErrors), fieldErrors: out.fieldErrors } satisfies ConsoleError);
      return json(200, out);
    } catch (err) {
      // The database is unreachable or busy: the browser keeps what it shows and asks again on its next refresh.
      console.error(`[console api] reading ${what} failed:`, err instanceof Error ? err.message : err);
      return json(503, { error: `Could not read ${what} just now. The console will try again.` } satisfies ConsoleError);
    }
  };
}

/** URLSearchParams as the list helpers take them (every value of each parameter). */
export function rawParams(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const k of new Set(params.keys())) out[k] = params.getAll(k);
  return out;
}
