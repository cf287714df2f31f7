import { SearchSelectFilter } from "@/components/ui/search-select-filter";
import { STATUS_LABELS } from "./status";

const STATUS_OPTIONS = [{ value: "", label: "All" }, ...Object.entries(STATUS_LABELS).map(([value, s]) => ({ value, label: s.label }))];

/** The Client certificates list's filter: search by label, Common Name or serial, and status. */
export function ClientCertificateFilter({ q, status, action }: { q: string; status: string; action: string }) {
  return (
    <SearchSelectFilter
      label="Filter client certificates"
      action={action}
      idPrefix="client-certificates"
      q={q}
      placeholder="Label, Common Name or serial"
      select={{ label: "Status", name: "status", value: status, options: STATUS_OPTIONS }}
    />
  );
}
