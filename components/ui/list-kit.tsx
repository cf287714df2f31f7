/**
 * The pieces every console list page is made of (the audit log, the access log, Mutual TLS, Policies, Applications):
 * the filter form, the notices about the address's filters, the pager and the empty state. Server-safe and
 * client-safe (no hooks): the live access log renders its pager from the browser.
 */
import Link from "next/link";
import type { ReactNode } from "react";
import { buttonClass } from "./button";
import { EmptyState } from "./card";
import { cn } from "./cn";
import { Notice } from "./notice";

/**
 * A GET form in a search landmark named `label`: the filter lives in the address, so it can be bookmarked and works
 * without JavaScript. The page's fields, then **Filter** and a link back to the whole list (`clear.label`, default
 * **Clear**; left out while `clear.show` is false).
 */
export function ListFilters({
  label,
  action,
  className,
  children,
  clear,
  submitVariant = "primary",
}: {
  label: string;
  action?: string;
  className?: string;
  children: ReactNode;
  clear: { href: string; label?: string; show?: boolean };
  submitVariant?: "primary" | "secondary";
}) {
  return (
    <form method="get" action={action} role="search" aria-label={label} className={cn("mb-4", className)}>
      {children}
      <div className="flex gap-2">
        <button type="submit" className={buttonClass(submitVariant)}>
          Filter
        </button>
        {clear.show === false ? null : (
          <Link href={clear.href} className={buttonClass("secondary")}>
            {clear.label ?? "Clear"}
          </Link>
        )}
      </div>
    </form>
  );
}

/**
 * What lib/list-query.ts changed in the address's filters or page number, and whether a filter was refused (the
 * list then shows everything), above the list.
 */
export function QueryNotices({ notices, invalid = false }: { notices: string[]; invalid?: boolean }) {
  return (
    <>
      {notices.length ? (
        <Notice tone="warning" className="mb-4">
          {notices.join(" ")}
        </Notice>
      ) : null}
      {invalid ? (
        <Notice tone="error" className="mb-4">
          Some filters were invalid and were ignored.
        </Notice>
      ) : null}
    </>
  );
}

type PagerLink = { label: string; href: string } | null | false | "" | undefined;

/** Navigation **Pagination**: where the list stands, then links to the neighbouring pages (those that exist). */
export function ListPager({ summary, links }: { summary: ReactNode; links: PagerLink[] }) {
  const shown = links.filter((l): l is { label: string; href: string } => !!l);
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
      <span>{summary}</span>
      <span className="flex gap-2">
        {shown.map((l) => (
          <Link key={l.label} className={buttonClass("secondary", "sm")} href={l.href}>
            {l.label}
          </Link>
        ))}
      </span>
    </nav>
  );
}

/** Numbered pages: **Previous page** / **Next page** (a page may name them otherwise, as its contract says). */
export function PagePager({
  page,
  pages,
  summary,
  href,
  labels = { previous: "Previous page", next: "Next page" },
}: {
  page: number;
  pages: number;
  summary: ReactNode;
  href: (page: number) => string;
  labels?: { previous: string; next: string };
}) {
  return (
    <ListPager
      summary={summary}
      links={[page > 1 && { label: labels.previous, href: href(page - 1) }, page < pages && { label: labels.next, href: href(page + 1) }]}
    />
  );
}

/** Numbered pages with the total ("Page 2 of 3 · 250 policies"); nothing when everything fits on one page. */
export function Pager({ page, pages, total, noun, href }: { page: number; pages: number; total: number; noun: string; href: (page: number) => string }) {
  if (pages <= 1) return null;
  return <PagePager page={page} pages={pages} href={href} summary={`Page ${page} of ${pages} · ${total} ${noun}`} />;
}

type Empty = string | { title: string; children?: ReactNode };

/**
 * The empty list: `noMatch` while a filter is set, else `none` (a title, or a title with its own explanation);
 * `children` explains whichever has none of its own.
 */
export function ListEmpty({ filtered, none, noMatch, children }: { filtered: boolean; none: Empty; noMatch: Empty; children?: ReactNode }) {
  const shown = filtered ? noMatch : none;
  return typeof shown === "string" ? <EmptyState title={shown}>{children}</EmptyState> : <EmptyState title={shown.title}>{shown.children ?? children}</EmptyState>;
}
