/** A saved form's warnings (an out-of-date CRL, a failed first download) in one `role="alert"` box. */
export function Warnings({ warnings }: { warnings?: string[] }) {
  if (!warnings?.length) return null;
  return (
    <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      {warnings.map((w) => (
        <p key={w}>Warning: {w}</p>
      ))}
    </div>
  );
}
