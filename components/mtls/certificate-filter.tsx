import { SearchSelectFilter } from "@/components/ui/search-select-filter";

const EXPIRY_OPTIONS = [
  { value: "", label: "All" },
  { value: "expired", label: "Expired" },
  { value: "expiring", label: "Expires within 30 days" },
  { value: "valid", label: "Valid" },
] as const;

/** The Mutual TLS list's filter: search by name or hostname, and expiry status. */
export function CertificateFilter({ q, status, action }: { q: string; status: string; action: string }) {
  return (
    <SearchSelectFilter
      label="Filter certificates"
      action={action}
      idPrefix="mtls-filter"
      q={q}
      placeholder="Name or hostname"
      select={{ label: "Expiry status", name: "status", value: status, options: EXPIRY_OPTIONS }}
    />
  );
}
