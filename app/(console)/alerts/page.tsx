import type { Metadata } from "next";
import Link from "next/link";
import { AlertsTable } from "@/components/alerts/alerts-table";
import { EmptyState } from "@/components/ui/card";
import { PageHeader } from "@/components/ui/page-header";
import { requireUser } from "@/lib/auth/session";
import { evaluateAlerts, listAlerts } from "@/lib/domain/alerts";
import { getNotificationSettings } from "@/lib/domain/alerts/notifications";

export const metadata: Metadata = { title: "Alerts" };

export default async function AlertsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const includeResolved = (await searchParams).resolved === "1";
  // Bring stored alerts up to date first (idempotent), so a certificate added since the last hourly run
  // is listed; its notification goes out on the scheduler's next 30-second delivery tick.
  await evaluateAlerts().catch((err) => console.error("[alerts] evaluation failed:", err instanceof Error ? err.message : err));
  const [alerts, settings] = await Promise.all([listAlerts({ includeResolved }), getNotificationSettings()]);
  const webhookConfigured = !!settings.webhookUrl;
  const linkClass = "text-brand-600 underline underline-offset-2 hover:decoration-2 dark:text-brand-100";
  return (
    <>
      <PageHeader
        title="Alerts"
        description="Raised 30 and 14 days before an mTLS certificate or a service token expires, when it has expired, and when a certificate's CRL is past its next update. Checked at start-up, every hour and whenever this page is opened."
      />
      <div className="mb-4 flex flex-wrap items-center justify-between gap-2 text-sm">
        <p className="text-slate-600 dark:text-slate-400">
          {webhookConfigured ? "New alerts are sent to the webhook configured in " : "Webhook notifications are off. Configure them in "}
          <Link href="/settings#notifications-heading" className={linkClass}>
            Settings → Notifications
          </Link>
          .
        </p>
        <Link href={includeResolved ? "/alerts" : "/alerts?resolved=1"} className={linkClass}>
          {includeResolved ? "Hide resolved alerts" : "Show resolved alerts"}
        </Link>
      </div>
      {alerts.length ? (
        <AlertsTable alerts={alerts} webhookConfigured={webhookConfigured} />
      ) : (
        <EmptyState title={includeResolved ? "No alerts yet" : "No active alerts"}>
          Every mTLS certificate and service token is valid for more than 30 days and every CRL is current.
        </EmptyState>
      )}
    </>
  );
}
