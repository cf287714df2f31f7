/**
 * Server side of the console's queries (the App Router pattern): one QueryClient per request, filled by the page
 * or layout that renders the data first, then handed to the browser with `HydrationBoundary` + `dehydrate`, where
 * client components read it with `useQuery` and the same options (lib/queries/<feature>.ts). On the server a query
 * is loaded by calling the route handler's loader directly (no HTTP round trip to itself).
 */
import { dehydrate, hashKey, type DehydratedState, type QueryFunction, type QueryKey, type SkipToken } from "@tanstack/react-query";
import { cache } from "react";
import { makeQueryClient } from "./client";

/** One QueryClient per server request (React's cache is scoped to the request), shared by its layouts and page. */
export const getServerQueryClient = cache(makeQueryClient);

export interface ServerQuery {
  queryKey: QueryKey;
  queryFn: () => Promise<unknown>;
}

/**
 * A query's options with the server's way of loading the same data. Typed so that the loader returns what the
 * browser's fetcher returns: the hydrated data and the polled data are the same shape.
 */
export function loadedBy<T>(options: { queryKey: QueryKey; queryFn?: QueryFunction<T, never> | SkipToken }, load: () => Promise<T>): ServerQuery {
  return { queryKey: options.queryKey, queryFn: load };
}

/**
 * Load these queries into the request's client (a failure throws, to the route's error boundary, as the page's
 * own query would) and return the state for `<HydrationBoundary>`: only these queries, so that a layout and a
 * page each send what they loaded, not each other's.
 */
export async function prefetch(...queries: ServerQuery[]): Promise<DehydratedState> {
  const client = getServerQueryClient();
  await Promise.all(queries.map((q) => client.fetchQuery(q)));
  const wanted = new Set(queries.map((q) => hashKey(q.queryKey)));
  return dehydrate(client, { shouldDehydrateQuery: (q) => wanted.has(q.queryHash) && q.state.status === "success" });
}
