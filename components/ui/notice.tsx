import type { ReactNode } from "react";
import { cn } from "./cn";

/** Success/info notices are role="status"; errors are role="alert" (UI contract). */
export function Notice({
  tone,
  children,
  className,
}: {
  tone: "success" | "error" | "warning" | "info";
  children: ReactNode;
  className?: string;
}) {
  const style = {
    success: "border-emerald-300 bg-emerald-50 text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-100",
    error: "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100",
    warning: "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
    info: "border-slate-300 bg-white text-slate-800 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100",
  }[tone];
  return (
    <div role={tone === "error" ? "alert" : "status"} className={cn("rounded-md border px-3 py-2 text-sm", style, className)}>
      {children}
    </div>
  );
}
