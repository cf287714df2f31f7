/**
 * What every TanStack Query client of the console shares, on the server (one per request, lib/queries/server.ts)
 * and in the browser (one per tab, app/providers.tsx), and how the browser reads the console's GET route handlers.
 * Client-safe: nothing here touches the database.
 */
import { QueryClient, queryOptions, type QueryKey } from "@tanstack/react-query";

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        // Data prefetched on the server is fresh when the page hydrates: no second request for it right away.
        // Live queries set their own refetchInterval, which refetches regardless of this.
        staleTime: 30_000,
        retry: 1,
      },
    },
  });
}

/** The words proxy.ts and the route handlers answer a signed-out caller with. */
export const SESSION_ENDED = "Your session has ended. Sign in again.";

/**
 * A live query's refetchInterval: every `ms`, until the session has ended (asking again cannot succeed; the page
 * says why it stopped, and the next page the user opens sends them to sign in).
 */
export function liveInterval(ms: number) {
  return (query: { state: { error: Error | null } }): number | false => (query.state.error?.message === SESSION_ENDED ? false : ms);
}

/** The body of an error answer from app/api/console/**: `{ error, fieldErrors? }`. */
export interface ConsoleError {
  error: string;
  fieldErrors?: Record<string, string[]>;
}

/**
 * GET a console route handler's JSON. A refusal becomes an Error whose message can be shown as it is: the
 * handler's own `error`, the session-ended sentence for a 401 (proxy.ts answers it in plain text), else the status.
 */
export async function getJson<T>(url: string, signal?: AbortSignal): Promise<T> {
  // A redirect can only be the way to the sign-in page: not followed, it reads as the end of the session.
  const res = await fetch(url, { signal, headers: { accept: "application/json" }, cache: "no-store", redirect: "manual" });
  if (res.status === 401 || res.type === "opaqueredirect") throw new Error(SESSION_ENDED);
  if (res.ok) return (await res.json()) as T;
  const body = (await res.json().catch(() => null)) as ConsoleError | null;
  throw new Error(body?.error ?? `The console answered with status ${res.status}.`);
}

/**
 * A console query: `T` read from the route handler at `url`, refreshed every `every` ms (false: not refreshed) while
 * the tab is visible, never in a hidden tab.
 */
export function consoleQuery<T, K extends QueryKey = QueryKey>(queryKey: K, url: string, every: number | false) {
  return queryOptions({
    queryKey,
    queryFn: ({ signal }) => getJson<T>(url, signal),
    refetchInterval: every === false ? false : liveInterval(every),
    refetchIntervalInBackground: false,
  });
}
