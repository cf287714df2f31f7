import type { ReactNode, TdHTMLAttributes, ThHTMLAttributes } from "react";
import { cn } from "./cn";
import { ScrollRegion } from "./scroll-region";

/** A table in a box that scrolls sideways when the table is wider than the page (keyboard-reachable then). */
export function Table({ children, caption }: { children: ReactNode; caption?: string }) {
  return (
    <ScrollRegion
      label={caption ?? "Table"}
      className="overflow-x-auto rounded-lg border border-slate-200 bg-white shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <table className="min-w-full divide-y divide-slate-200 text-sm dark:divide-slate-800">
        {caption ? <caption className="sr-only">{caption}</caption> : null}
        {children}
      </table>
    </ScrollRegion>
  );
}

export function Th({ className, ...props }: ThHTMLAttributes<HTMLTableCellElement>) {
  return (
    <th
      scope="col"
      className={cn("bg-slate-50 px-4 py-2.5 text-left text-xs font-semibold tracking-wide text-slate-600 uppercase dark:bg-slate-800/60 dark:text-slate-300", className)}
      {...props}
    />
  );
}

export function Td({ className, ...props }: TdHTMLAttributes<HTMLTableCellElement>) {
  return <td className={cn("px-4 py-2.5 align-top", className)} {...props} />;
}

/** The header row: a column header per name, then (when `actions`) the row buttons' column, named for screen readers. */
export function HeaderRow({ columns, actions = false }: { columns: readonly string[]; actions?: boolean }) {
  return (
    <thead>
      <tr>
        {columns.map((c) => (
          <Th key={c}>{c}</Th>
        ))}
        {actions ? (
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        ) : null}
      </tr>
    </thead>
  );
}

export function TBody({ children }: { children: ReactNode }) {
  return <tbody className="divide-y divide-slate-100 dark:divide-slate-800">{children}</tbody>;
}
