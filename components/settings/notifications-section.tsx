import Link from "next/link";
import { describeWebhook, getNotificationSettings } from "@/lib/domain/alerts/notifications";
import { NotificationsForm } from "./notifications-form";

/** Settings → Notifications: where alert webhooks go. Viewers see only the receiver's origin. */
export async function NotificationsSection({ canEdit }: { canEdit: boolean }) {
  const { webhookUrl } = await getNotificationSettings();
  return (
    <section aria-labelledby="notifications-heading" className="mb-8 space-y-3">
      <h2 id="notifications-heading" className="text-lg font-semibold">
        Notifications
      </h2>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Portcullis raises an <Link href="/alerts" className="text-brand-600 underline underline-offset-2 hover:decoration-2 dark:text-brand-100">alert</Link> 30
        and 14 days before an mTLS certificate expires, when it has expired, and when its CRL is past its next update. Each new
        alert is sent once as a JSON <code>POST</code> to the webhook below; failed deliveries are retried with exponential
        backoff (up to 8 attempts) and every attempt is recorded in the audit log.
      </p>
      {canEdit ? (
        <NotificationsForm webhookUrl={webhookUrl ?? ""} />
      ) : (
        <p className="text-sm">
          Webhook: <span className="font-mono">{describeWebhook(webhookUrl) ?? "not configured"}</span>
        </p>
      )}
    </section>
  );
}
