import Link from "next/link";
import { buttonClass } from "./button";

/** Previous/next page links for list pages (`?page=N`, other query parameters kept). */
export function Pager({
  page,
  pages,
  total,
  noun,
  href,
}: {
  page: number;
  pages: number;
  total: number;
  noun: string;
  href: (page: number) => string;
}) {
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pagination" className="mt-4 flex items-center justify-between text-sm">
      <span>
        Page {page} of {pages} · {total} {noun}
      </span>
      <span className="flex gap-2">
        {page > 1 ? (
          <Link className={buttonClass("secondary", "sm")} href={href(page - 1)}>
            Previous page
          </Link>
        ) : null}
        {page < pages ? (
          <Link className={buttonClass("secondary", "sm")} href={href(page + 1)}>
            Next page
          </Link>
        ) : null}
      </span>
    </nav>
  );
}

/** A 1-based page number from a search parameter; anything odd is page 1. */
export function pageParam(value: string | string[] | undefined): number {
  const n = Number(Array.isArray(value) ? value[0] : value);
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
}
