"use client";

import { useState } from "react";
import { Button } from "../ui/button";

/** The application's Audience (AUD) tag with a Copy button. */
export function AudTag({ aud }: { aud: string }) {
  const [copied, setCopied] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(aud);
      setCopied("Copied to the clipboard.");
    } catch {
      setCopied("Copying is blocked in this browser: select the tag and copy it by hand.");
    }
  }
  return (
    <div className="max-w-2xl space-y-1">
      <p id="aud-label" className="text-sm font-medium">
        Application Audience (AUD) Tag
      </p>
      <div className="flex items-center gap-2">
        <code aria-labelledby="aud-label" className="min-w-0 flex-1 truncate rounded bg-slate-100 px-2 py-1.5 font-mono text-xs select-all dark:bg-slate-800">
          {aud}
        </code>
        <Button variant="secondary" size="sm" onClick={copy}>
          Copy
        </Button>
      </div>
      {copied ? (
        <p role="status" className="text-xs text-slate-600 dark:text-slate-400">
          {copied}
        </p>
      ) : null}
    </div>
  );
}
