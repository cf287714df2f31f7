/**
 * Query parameters of the console's list pages, made safe to query with: control characters removed
 * (PostgreSQL cannot compare a NUL, and no name, email or hostname contains one), overlong values cut,
 * and page numbers outside 1…MAX_PAGE replaced by page 1. Each change comes back as a notice for the
 * page to show, so the visitor sees why the list differs from the address they opened.
 */
import type { z } from "zod";

export const MAX_PAGE = 1_000_000;
export const MAX_QUERY_VALUE = 500;

const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROLS = /[\u0000-\u001f\u007f]/g;

type Raw = Record<string, string | string[] | undefined>;

export interface ListQuery {
  /** The first value of each parameter the page reads, cleaned. */
  values: Record<string, string | undefined>;
  notices: string[];
}

export function listQuery(raw: Raw, keys: readonly string[]): ListQuery {
  const values: Record<string, string | undefined> = {};
  const notices: string[] = [];
  for (const key of keys) {
    const v = raw[key];
    let s = Array.isArray(v) ? v[0] : v;
    if (s === undefined) continue;
    if (CONTROL.test(s)) {
      s = s.replace(CONTROLS, "");
      notices.push(`Control characters were removed from the ${key} filter.`);
    }
    if (s.length > MAX_QUERY_VALUE) {
      s = s.slice(0, MAX_QUERY_VALUE);
      notices.push(`The ${key} filter was cut to ${MAX_QUERY_VALUE} characters.`);
    }
    values[key] = s;
  }
  return { values, notices };
}

/** A 1-based page number; anything that is not a whole number from 1 to MAX_PAGE is page 1, with a notice. */
export function pageNumber(value: string | undefined): { page: number; notice?: string } {
  if (value === undefined || value === "") return { page: 1 };
  const n = /^\d{1,7}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (Number.isInteger(n) && n >= 1 && n <= MAX_PAGE) return { page: n };
  const shown = value.length > 24 ? `${value.slice(0, 24)}…` : value;
  return { page: 1, notice: `There is no page “${shown}” (pages are numbered 1 to ${MAX_PAGE.toLocaleString("en")}); showing page 1.` };
}

export interface ListFilter<T> {
  /** The filter the list is read with: the parsed values, or the schema's defaults when any value was invalid. */
  filter: T;
  /** false when a value was refused (the whole filter then falls back to the defaults). */
  valid: boolean;
  /** The refusals by parameter, for the filter form's fields. */
  fieldErrors: Record<string, string[]>;
  notices: string[];
}

/**
 * A list's query parameters, cleaned (listQuery; a `page` key through pageNumber) and validated with its filter
 * schema: what the list pages and the console's GET route handlers read their filters with, so both accept and
 * refuse the same addresses.
 */
export function listFilter<S extends z.ZodType>(raw: Raw, keys: readonly string[], schema: S): ListFilter<z.output<S>> {
  const { values, notices } = listQuery(raw, keys);
  if (keys.includes("page")) {
    const { page, notice } = pageNumber(values.page);
    if (notice) notices.push(notice);
    values.page = String(page);
  }
  const parsed = schema.safeParse(values);
  if (parsed.success) return { filter: parsed.data, valid: true, fieldErrors: {}, notices };
  const fieldErrors: Record<string, string[]> = {};
  for (const issue of parsed.error.issues) (fieldErrors[String(issue.path[0])] ??= []).push(issue.message);
  return { filter: schema.parse({}), valid: false, fieldErrors, notices };
}
