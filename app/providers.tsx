"use client";

import { QueryClientProvider } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { makeQueryClient } from "@/lib/queries/client";

/**
 * One QueryClient per browser tab (and per server render of a page: useState runs once per render tree). Pages and
 * layouts prefetch their live data on the server and pass it down with HydrationBoundary (lib/queries/server.ts).
 */
export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(makeQueryClient);
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
