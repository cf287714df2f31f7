import { getRetentionSettings } from "@/lib/domain/retention";
import { RetentionForm } from "./retention-form";

/** Settings → Log retention: how long the access log and the audit log are kept. Viewers see the values only. */
export async function RetentionSection({ canEdit }: { canEdit: boolean }) {
  const s = await getRetentionSettings();
  return (
    <section aria-labelledby="retention-heading" className="mb-8 space-y-3">
      <h2 id="retention-heading" className="text-lg font-semibold">
        Log retention
      </h2>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Rows older than the number of days, and the oldest rows beyond the maximum, are deleted at start-up and every hour.
        The Overview chart&apos;s hourly counts are kept for as long as the access log&apos;s days, even when the row limit
        deletes the rows themselves. Each pruning of the audit log is recorded in the audit log.
      </p>
      <RetentionForm
        canEdit={canEdit}
        values={{
          accessLogDays: String(s.accessLog.maxAgeDays),
          accessLogMaxRows: s.accessLog.maxRows.toLocaleString("en-US"),
          auditLogDays: String(s.auditLog.maxAgeDays),
          auditLogMaxRows: s.auditLog.maxRows.toLocaleString("en-US"),
        }}
      />
    </section>
  );
}
