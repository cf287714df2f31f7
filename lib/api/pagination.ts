import type { ResultInfo } from "./envelope";
import { invalidRequest } from "./errors";

export interface PageParams {
  page: number;
  perPage: number;
}

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 1000;

function parsePositiveInt(raw: string | null, name: string, max: number, problems: string[]): number | undefined {
  if (raw === null || raw === "") return undefined;
  if (!/^\d+$/.test(raw.trim())) {
    problems.push(`${name} must be a positive whole number (got "${raw.slice(0, 40)}")`);
    return undefined;
  }
  const n = Number(raw);
  if (n < 1) problems.push(`${name} must be at least 1`);
  else if (n > max) problems.push(`${name} must be at most ${max}`);
  return n;
}

/** Longest query parameter value a list accepts (names, domains and ids are far shorter). */
export const MAX_FILTER_LENGTH = 1000;

/**
 * Every query parameter of a list request, filters included: no control characters (PostgreSQL cannot
 * store or compare a NUL, and no name, domain or id contains one) and no absurd lengths.
 */
function checkQuery(url: URL, problems: string[]): void {
  for (const [name, value] of url.searchParams) {
    const shown = name.replace(/[^\w.-]/g, "?").slice(0, 40);
    if (/[\u0000-\u001f\u007f]/.test(value) || /[\u0000-\u001f\u007f]/.test(name)) problems.push(`${shown} must not contain control characters`);
    else if (value.length > MAX_FILTER_LENGTH) problems.push(`${shown} must be at most ${MAX_FILTER_LENGTH} characters`);
  }
}

/**
 * `?page=&per_page=` → PageParams; bad values are refused (400) rather than silently replaced, and so is
 * any query parameter with control characters (see `checkQuery`). Every list route calls this first.
 */
export function parsePageParams(url: URL, defaultPerPage = DEFAULT_PER_PAGE): PageParams {
  const problems: string[] = [];
  checkQuery(url, problems);
  const page = parsePositiveInt(url.searchParams.get("page"), "page", 10_000_000, problems) ?? 1;
  const perPage = parsePositiveInt(url.searchParams.get("per_page"), "per_page", MAX_PER_PAGE, problems) ?? defaultPerPage;
  if (problems.length) throw invalidRequest(problems);
  return { page, perPage };
}

export function buildResultInfo(params: PageParams, count: number, total: number): ResultInfo {
  return {
    page: params.page,
    per_page: params.perPage,
    count,
    total_count: total,
    total_pages: Math.max(1, Math.ceil(total / params.perPage)),
  };
}

/** For resources with no server-side paging (hostname settings): slice in memory the same way. */
export function paginateArray<T>(items: T[], params: PageParams): { items: T[]; total: number } {
  const start = (params.page - 1) * params.perPage;
  return { items: items.slice(start, start + params.perPage), total: items.length };
}
