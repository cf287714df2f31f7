"use client";

import { signOut } from "next-auth/react";
import { useActionState, useEffect, useRef, useState } from "react";
import { signOutEverywhereAction } from "@/lib/actions/users";
import { Badge } from "../ui/badge";

export function UserMenu({ email, role }: { email: string; role: "admin" | "viewer" }) {
  const [open, setOpen] = useState(false);
  const ref = useRef<HTMLDivElement>(null);
  const [everywhere, endEverywhere, ending] = useActionState(signOutEverywhereAction, null);
  useEffect(() => {
    // Every session (this one too) has ended on the server: clear this browser's cookie and go to sign-in.
    if (everywhere?.ok) void signOut({ callbackUrl: "/login" });
  }, [everywhere]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: MouseEvent) => {
      if (!ref.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && setOpen(false);
    document.addEventListener("mousedown", onDown);
    document.addEventListener("keydown", onKey);
    return () => {
      document.removeEventListener("mousedown", onDown);
      document.removeEventListener("keydown", onKey);
    };
  }, [open]);
  return (
    <div ref={ref} className="relative">
      <button
        type="button"
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => setOpen((o) => !o)}
        className="flex items-center gap-2 rounded-md px-2 py-1.5 text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
      >
        <span>{email}</span>
      </button>
      {open ? (
        <div role="menu" aria-label="User menu" className="absolute right-0 z-20 mt-1 w-56 rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
          <p className="px-3 py-2 text-xs text-slate-500 dark:text-slate-400">
            Signed in as {role === "admin" ? "admin" : <Badge>viewer · read-only</Badge>}
          </p>
          <button
            type="button"
            role="menuitem"
            autoFocus
            onClick={() => signOut({ callbackUrl: "/login" })}
            className="block w-full rounded px-3 py-2 text-left text-sm hover:bg-slate-100 dark:hover:bg-slate-800"
          >
            Sign out
          </button>
          {/*
            A plain button, not a menuitem: `getByRole("menuitem", { name: "Sign out" })` matches names by
            substring, so a second menuitem named "Sign out everywhere" would make that locator ambiguous.
          */}
          <form action={endEverywhere}>
            <input type="hidden" name="scope" value="everywhere" />
            <button
              type="submit"
              disabled={ending}
              className="block w-full rounded px-3 py-2 text-left text-sm hover:bg-slate-100 disabled:opacity-60 dark:hover:bg-slate-800"
            >
              Sign out everywhere
            </button>
            <p className="px-3 pb-1 text-xs text-slate-500 dark:text-slate-400">Ends your sessions in every browser.</p>
          </form>
          {everywhere && !everywhere.ok ? (
            <p role="alert" className="px-3 py-1 text-xs text-red-600">
              {everywhere.message}
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
