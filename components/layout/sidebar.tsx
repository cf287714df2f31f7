"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";
import { cn } from "../ui/cn";
import { EXTRA_NAV_ITEMS, NAV_ITEMS, isCurrent } from "./nav-items";

function NavLink({ href, label, pathname }: { href: string; label: string; pathname: string }) {
  const current = isCurrent(pathname, href);
  return (
    <li>
      <Link
        href={href}
        aria-current={current ? "page" : undefined}
        className={cn(
          "block rounded-md px-3 py-2 text-sm font-medium",
          current
            ? "bg-brand-50 text-brand-700 dark:bg-brand-700/30 dark:text-brand-100"
            : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
        )}
      >
        {label}
      </Link>
    </li>
  );
}

export function Sidebar() {
  const pathname = usePathname();
  return (
    <nav aria-label="Main" className="flex flex-col gap-4">
      <ul className="space-y-0.5">
        {NAV_ITEMS.map((item) => (
          <NavLink key={item.href} {...item} pathname={pathname} />
        ))}
      </ul>
      <ul className="space-y-0.5 border-t border-slate-200 pt-3 dark:border-slate-800">
        {EXTRA_NAV_ITEMS.map((item) => (
          <NavLink key={item.href} {...item} pathname={pathname} />
        ))}
      </ul>
    </nav>
  );
}
