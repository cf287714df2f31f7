"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { type ReactNode, useId } from "react";
import { openAlertsQuery } from "@/lib/queries/alerts";
import { cn } from "../ui/cn";
import { EXTRA_NAV_ITEMS, NAV_ITEMS, isCurrent } from "./nav-items";

/**
 * The number of open alerts after the Alerts link (none while nothing is open). The link's accessible name stays
 * exactly "Alerts" (e2e suites match it exactly); the count is its description ("3 open alerts"), and the digit
 * is for the eye only.
 */
function useOpenAlerts(): number {
  const { data } = useQuery(openAlertsQuery());
  return data?.open ?? 0;
}

function OpenAlertsBadge({ open }: { open: number }) {
  if (!open) return null;
  const words = `${open} open alert${open === 1 ? "" : "s"}`;
  return (
    <span aria-hidden="true" title={words} className="float-right rounded-full bg-red-700 px-1.5 py-0.5 text-xs leading-none font-semibold tabular-nums text-white">
      {open > 99 ? "99+" : open}
    </span>
  );
}

function NavLink({
  href,
  label,
  pathname,
  badge,
  description,
}: {
  href: string;
  label: string;
  pathname: string;
  badge?: ReactNode;
  /** Words read after the link's name (its accessible description), outside the name itself. */
  description?: { id: string; text: string } | null;
}) {
  const current = isCurrent(pathname, href);
  return (
    <li>
      {description ? (
        <span id={description.id} className="sr-only">
          {description.text}
        </span>
      ) : null}
      <Link
        href={href}
        aria-current={current ? "page" : undefined}
        aria-describedby={description ? description.id : undefined}
        className={cn(
          "block rounded-md px-3 py-2 text-sm font-medium",
          current
            ? "bg-brand-50 text-brand-700 dark:bg-brand-700/30 dark:text-brand-100"
            : "text-slate-700 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800",
        )}
      >
        {label}
        {badge}
      </Link>
    </li>
  );
}

export function Sidebar() {
  const pathname = usePathname();
  const open = useOpenAlerts();
  // The sidebar renders twice (the desktop column and the small-screen menu): each copy needs its own id.
  const describedById = useId();
  const alertsDescription = open ? { id: describedById, text: `${open} open alert${open === 1 ? "" : "s"}` } : null;
  return (
    <nav aria-label="Main" className="flex flex-col gap-4">
      <ul className="space-y-0.5">
        {NAV_ITEMS.map((item) => (
          <NavLink key={item.href} {...item} pathname={pathname} />
        ))}
      </ul>
      <ul className="space-y-0.5 border-t border-slate-200 pt-3 dark:border-slate-800">
        {EXTRA_NAV_ITEMS.map((item) => (
          <NavLink
            key={item.href}
            {...item}
            pathname={pathname}
            badge={item.href === "/alerts" ? <OpenAlertsBadge open={open} /> : undefined}
            description={item.href === "/alerts" ? alertsDescription : undefined}
          />
        ))}
      </ul>
    </nav>
  );
}
