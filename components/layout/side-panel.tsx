import Link from "next/link";
import { Sidebar } from "./sidebar";

/**
 * The console's left column (wide screens; narrow ones get the header's Menu). The aside is a flex item that
 * stretches to the height of the whole page, so its background and border run to the bottom of long pages
 * (a Test mTLS result, a large pasted chain); its contents stick to the top of the window while the page scrolls.
 */
export function SidePanel() {
  return (
    <aside className="hidden w-56 shrink-0 border-r border-slate-200 bg-white md:block dark:border-slate-800 dark:bg-slate-900">
      <div className="sticky top-0 flex max-h-screen flex-col overflow-y-auto px-3 py-4">
        <Link href="/" className="mb-5 flex items-center gap-2 px-3 text-base font-bold tracking-tight">
          <span aria-hidden className="inline-block h-5 w-5 rounded bg-brand-600" />
          Portcullis
        </Link>
        <Sidebar />
      </div>
    </aside>
  );
}
