"use client";

import { useState } from "react";
import { Button } from "../ui/button";

/** The generated nginx.conf with a Copy button. */
export function CopyConfig({ text, label }: { text: string; label: string }) {
  const [status, setStatus] = useState<string | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(text);
      setStatus("Copied to the clipboard.");
    } catch {
      setStatus("Copying is blocked in this browser: select the text and copy it by hand.");
    }
  }
  return (
    <div className="space-y-2">
      <div className="flex items-center gap-2">
        <Button variant="secondary" size="sm" onClick={copy}>
          Copy
        </Button>
        {status ? (
          <p role="status" className="text-xs text-slate-600 dark:text-slate-400">
            {status}
          </p>
        ) : null}
      </div>
      <pre
        aria-label={label}
        tabIndex={0}
        className="max-h-[32rem] overflow-auto rounded-lg border border-slate-200 bg-slate-50 p-4 font-mono text-xs leading-relaxed dark:border-slate-800 dark:bg-slate-950"
      >
        {text}
      </pre>
    </div>
  );
}
