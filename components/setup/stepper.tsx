import Link from "next/link";
import { cn } from "@/components/ui/cn";
import { setupHref, stepIndex, STEPS, type SetupIds, type SetupStep } from "./steps";

/**
 * `nav` "Setup steps": one item per step, the current one `aria-current="step"`. Steps up to the furthest one
 * reached are links (going back keeps what was chosen, it is all in the URL); later ones are plain text.
 * Each step's accessible name is exactly its label; numbers and check marks are decoration.
 */
export function Stepper({ current, reachable, ids }: { current: SetupStep; reachable: SetupStep; ids: SetupIds }) {
  const cur = stepIndex(current);
  const max = stepIndex(reachable);
  return (
    <nav aria-label="Setup steps" className="mb-6">
      <ol className="flex flex-wrap items-center gap-x-2 gap-y-2 text-sm">
        {STEPS.map((s, i) => {
          const done = i < cur || current === "done";
          const isCurrent = s.key === current;
          const marker = (
            <span
              aria-hidden
              className={cn(
                "inline-flex size-6 items-center justify-center rounded-full border text-xs font-semibold",
                isCurrent
                  ? "border-brand-600 bg-brand-600 text-white"
                  : done
                    ? "border-emerald-600 bg-emerald-50 text-emerald-700 dark:bg-emerald-950 dark:text-emerald-200"
                    : "border-slate-300 text-slate-500 dark:text-slate-400 dark:border-slate-600",
              )}
            >
              {done && !isCurrent ? "✓" : i + 1}
            </span>
          );
          const itemClass = cn(
            "inline-flex items-center gap-2 rounded-md px-2 py-1",
            isCurrent ? "font-semibold text-slate-900 dark:text-white" : "text-slate-600 dark:text-slate-300",
          );
          return (
            <li key={s.key} className="flex items-center gap-2">
              {i <= max ? (
                <Link href={setupHref(s.key, ids)} aria-current={isCurrent ? "step" : undefined} className={cn(itemClass, "hover:bg-slate-100 dark:hover:bg-slate-800")}>
                  {marker}
                  {s.label}
                </Link>
              ) : (
                <span className={cn(itemClass, "text-slate-500 dark:text-slate-400")}>
                  {marker}
                  {s.label}
                </span>
              )}
              {i < STEPS.length - 1 ? (
                <span aria-hidden className="text-slate-300 dark:text-slate-600">
                  —
                </span>
              ) : null}
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
