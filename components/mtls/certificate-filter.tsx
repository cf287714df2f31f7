import { buttonClass } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/field";

/** A plain GET form: the filter lives in the URL, so it can be bookmarked and works without JavaScript. */
export function CertificateFilter({ q, status, action }: { q: string; status: string; action: string }) {
  return (
    <form method="get" action={action} role="search" aria-label="Filter certificates" className="mb-4 flex flex-wrap items-end gap-2">
      <div>
        <label htmlFor="mtls-filter-q" className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Search
        </label>
        <Input id="mtls-filter-q" name="q" type="search" defaultValue={q} placeholder="Name or hostname" className="w-64" />
      </div>
      <div>
        <label htmlFor="mtls-filter-status" className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Expiry status
        </label>
        <Select id="mtls-filter-status" name="status" defaultValue={status} className="w-48">
          <option value="">All</option>
          <option value="expired">Expired</option>
          <option value="expiring">Expires within 30 days</option>
          <option value="valid">Valid</option>
        </Select>
      </div>
      <button type="submit" className={buttonClass("secondary")}>
        Filter
      </button>
      {q || status ? (
        <a href={action} className="px-2 py-2 text-sm text-brand-700 hover:underline dark:text-brand-100">
          Clear filter
        </a>
      ) : null}
    </form>
  );
}
