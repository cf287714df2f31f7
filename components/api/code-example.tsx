"use client";

import { useId, useState } from "react";
import { Button } from "../ui/button";

/** A titled, copyable code block. */
export function CodeExample({ title, code }: { title: string; code: string }) {
  const id = useId();
  const [copied, setCopied] = useState<boolean | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }
  return (
    <figure className="space-y-1">
      <div className="flex items-center justify-between gap-2">
        <figcaption id={`${id}-t`} className="text-sm font-medium">
          {title}
        </figcaption>
        <Button size="sm" variant="secondary" onClick={copy} aria-label={`Copy ${title}`}>
          Copy
        </Button>
      </div>
      {/* Focusable so keyboard users can scroll a long line sideways (WCAG 2.1.1). */}
      <pre
        aria-labelledby={`${id}-t`}
        tabIndex={0}
        className="overflow-x-auto rounded-md bg-slate-900 p-3 text-xs leading-relaxed text-slate-100 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-500"
      >
        <code>{code}</code>
      </pre>
      {copied !== null ? (
        <p role="status" className="text-xs text-slate-500 dark:text-slate-400">
          {copied ? "Copied to the clipboard." : "The browser refused clipboard access; select the text and copy it."}
        </p>
      ) : null}
    </figure>
  );
}
