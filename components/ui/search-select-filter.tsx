import { Input, Select } from "./field";
import { ListFilters } from "./list-kit";

/**
 * A list's filter with one **Search** box and one choice (the list kit's GET form, named `label`); **Clear filter**
 * while either is set. Used by Mutual TLS (expiry status) and Client certificates (status).
 */
export function SearchSelectFilter({
  label,
  action,
  idPrefix,
  q,
  placeholder,
  select,
}: {
  label: string;
  action: string;
  idPrefix: string;
  q: string;
  placeholder: string;
  select: { label: string; name: string; value: string; options: readonly { value: string; label: string }[] };
}) {
  return (
    <ListFilters
      label={label}
      action={action}
      className="flex flex-wrap items-end gap-2"
      submitVariant="secondary"
      clear={{ href: action, label: "Clear filter", show: !!(q || select.value) }}
    >
      <div>
        <label htmlFor={`${idPrefix}-q`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          Search
        </label>
        <Input id={`${idPrefix}-q`} name="q" type="search" defaultValue={q} placeholder={placeholder} className="w-64" />
      </div>
      <div>
        <label htmlFor={`${idPrefix}-${select.name}`} className="block text-xs font-medium text-slate-600 dark:text-slate-300">
          {select.label}
        </label>
        <Select id={`${idPrefix}-${select.name}`} name={select.name} defaultValue={select.value} className="w-48">
          {select.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </Select>
      </div>
    </ListFilters>
  );
}
