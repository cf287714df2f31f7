"use client";

import { useEffect, useRef, useState } from "react";
import { Button } from "./button";
import { cn } from "./cn";
import { inputClass } from "./field";

/**
 * A value shown once (a new API token, a service token's Client ID and Client Secret): a read-only textbox named
 * `label` and a Copy button, grouped under the same name; the value is selected when the clipboard is refused.
 */
export function CopyField({ id, label, value, focus = false, hint }: { id: string; label: string; value: string; focus?: boolean; hint?: string }) {
  const ref = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => {
    if (focus) {
      ref.current?.focus();
      ref.current?.select();
    }
  }, [focus, value]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("yes");
    } catch {
      ref.current?.select();
      setCopied("failed");
    }
  }

  return (
    <div role="group" aria-labelledby={`${id}-label`} className="space-y-1">
      <label id={`${id}-label`} htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={id}
          ref={ref}
          readOnly
          value={value}
          spellCheck={false}
          aria-describedby={hint ? `${id}-hint` : undefined}
          className={cn(inputClass, "font-mono text-xs")}
          onFocus={(e) => e.currentTarget.select()}
        />
        <Button variant="secondary" onClick={copy}>
          Copy
        </Button>
      </div>
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
          {hint}
        </p>
      ) : null}
      {copied === "yes" ? <p role="status" className="text-xs text-emerald-800 dark:text-emerald-200">Copied to the clipboard.</p> : null}
      {copied === "failed" ? <p role="status" className="text-xs">The browser refused clipboard access; the value is selected — press Ctrl+C.</p> : null}
    </div>
  );
}
