"use client";

import { Button } from "@/components/ui/button";

/** Unexpected server errors: a plain message and a retry, never a stack trace. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="rounded-lg border border-red-300 bg-red-50 p-6 dark:border-red-800 dark:bg-red-950">
      <h1 className="text-xl font-semibold">Something went wrong</h1>
      <p className="mt-1 text-sm">
        The server could not load this page. Nothing was changed. Try again; if it keeps happening, check the server log
        {error.digest ? ` (reference ${error.digest})` : ""}.
      </p>
      <Button className="mt-4" onClick={reset}>
        Try again
      </Button>
    </div>
  );
}
