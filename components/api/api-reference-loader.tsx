"use client";

import dynamic from "next/dynamic";

const ApiReference = dynamic(() => import("./api-reference"), {
  ssr: false,
  loading: () => <p className="p-4 text-sm text-slate-500">Loading the interactive reference…</p>,
});

export function ApiReferenceLoader({ specUrl }: { specUrl: string }) {
  return (
    <section aria-labelledby="reference-heading" className="space-y-3">
      <h2 id="reference-heading" className="text-lg font-semibold">
        Interactive reference
      </h2>
      <div className="overflow-hidden rounded-lg border border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
        <ApiReference specUrl={specUrl} />
      </div>
    </section>
  );
}
