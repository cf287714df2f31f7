"use client";

import { useId, useRef, useState, type ClipboardEvent, type KeyboardEvent } from "react";
import { inputClass } from "@/components/ui/field";
import { cn } from "@/components/ui/cn";
import { normalizeHostname } from "@/lib/hostname";

/**
 * Chip input for associated hostnames (reused by the guided setup). Enter or comma adds; a pasted list
 * (commas, spaces or new lines) adds every valid hostname; invalid ones stay in the box with the reason.
 * Each chip has a button "Remove HOSTNAME". The form receives one hidden `name` input per hostname.
 */
export function HostnameInput({
  id,
  name = "associated_hostnames",
  defaultValue = [],
  onChange,
  errors,
  disabled,
  describedBy,
}: {
  id: string;
  name?: string;
  defaultValue?: string[];
  onChange?: (hostnames: string[]) => void;
  errors?: string[];
  disabled?: boolean;
  describedBy?: string;
}) {
  const [hostnames, setHostnames] = useState<string[]>(defaultValue);
  const [text, setText] = useState("");
  const [problems, setProblems] = useState<string[]>([]);
  const [announce, setAnnounce] = useState("");
  const inputRef = useRef<HTMLInputElement>(null);
  const localId = useId();
  const problemsId = `${localId}-problems`;

  const update = (next: string[]) => {
    setHostnames(next);
    onChange?.(next);
  };

  /** Adds every entry of `raw`; returns the entries that were refused (kept in the box). */
  const addFrom = (raw: string): string => {
    const parts = raw.split(/[\s,;]+/).filter(Boolean);
    if (!parts.length) return "";
    const next = [...hostnames];
    const refused: string[] = [];
    const msgs: string[] = [];
    const added: string[] = [];
    for (const part of parts) {
      const r = normalizeHostname(part);
      if (!r.ok) {
        refused.push(part);
        msgs.push(r.error);
      } else if (next.includes(r.hostname)) {
        msgs.push(`${r.hostname} is already in the list.`);
      } else {
        next.push(r.hostname);
        added.push(r.hostname);
        if (r.notice) msgs.push(r.notice);
      }
    }
    if (added.length) update(next);
    setProblems(msgs);
    setAnnounce(added.length ? `Added ${added.join(", ")}` : "");
    return refused.join(", ");
  };

  const remove = (h: string) => {
    update(hostnames.filter((x) => x !== h));
    setAnnounce(`Removed ${h}`);
    inputRef.current?.focus();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      setText(addFrom(text));
    } else if (e.key === "Backspace" && text === "" && hostnames.length) {
      remove(hostnames[hostnames.length - 1]);
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLInputElement>) => {
    const pasted = e.clipboardData.getData("text");
    if (!/[\s,;]/.test(pasted.trim())) return;
    e.preventDefault();
    setText(addFrom(text + pasted));
  };

  const errorIds = [describedBy, problems.length ? problemsId : null].filter(Boolean).join(" ") || undefined;
  return (
    <div className="space-y-2">
      {hostnames.length ? (
        <ul aria-label="Added hostnames" className="flex flex-wrap gap-1.5">
          {hostnames.map((h) => (
            <li key={h} className="inline-flex items-center gap-1 rounded-full bg-brand-50 py-0.5 pr-1 pl-2.5 text-sm text-brand-700 dark:bg-brand-700/30 dark:text-brand-100">
              <span className="font-mono text-xs">{h}</span>
              {!disabled ? (
                <button
                  type="button"
                  onClick={() => remove(h)}
                  aria-label={`Remove ${h}`}
                  className="rounded-full px-1.5 leading-none hover:bg-brand-100 focus-visible:outline-2 focus-visible:outline-brand-500 dark:hover:bg-brand-700"
                >
                  <span aria-hidden>×</span>
                </button>
              ) : null}
              <input type="hidden" name={name} value={h} />
            </li>
          ))}
        </ul>
      ) : null}
      {!disabled ? (
        <input
          ref={inputRef}
          id={id}
          type="text"
          value={text}
          autoComplete="off"
          spellCheck={false}
          placeholder={hostnames.length ? "Add another hostname" : "auth.example.com"}
          onChange={(e) => {
            const v = e.target.value;
            // A typed comma adds (mobile keyboards may not send a key event for it).
            if (v.endsWith(",")) setText(addFrom(v));
            else setText(v);
          }}
          onKeyDown={onKeyDown}
          onPaste={onPaste}
          onBlur={() => text.trim() && setText(addFrom(text))}
          aria-invalid={problems.some((p) => p.includes("not a valid")) || !!errors?.length}
          aria-describedby={errorIds}
          className={cn(inputClass)}
        />
      ) : (
        <p id={id} className="text-sm text-slate-600 dark:text-slate-400">
          {hostnames.length ? null : "No hostnames"}
        </p>
      )}
      {problems.length ? (
        <ul id={problemsId} className="space-y-0.5 text-sm text-amber-800 dark:text-amber-300">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <span role="status" className="sr-only">
        {announce}
      </span>
    </div>
  );
}
