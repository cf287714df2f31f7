import type { PolicyUsage } from "@/lib/domain/policies";

/** "Used by applications": the count, with the application names on hover and on expand. */
export function UsedBy({ apps }: { apps: PolicyUsage[] }) {
  if (apps.length === 0) return <span className="text-slate-500 dark:text-slate-400">0</span>;
  const names = apps.map((a) => a.name).join(", ");
  return (
    <details title={names}>
      <summary className="cursor-pointer">{apps.length}</summary>
      <ul className="mt-1 list-disc pl-5 text-xs text-slate-600 dark:text-slate-300">
        {apps.map((a) => (
          <li key={a.id}>
            <a className="underline" href={`/access-controls/applications/${a.id}`}>
              {a.name}
            </a>
          </li>
        ))}
      </ul>
    </details>
  );
}
