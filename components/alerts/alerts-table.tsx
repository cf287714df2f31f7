import Link from "next/link";
import type { AlertDto } from "@/lib/domain/alerts";
import { MAX_ATTEMPTS } from "@/lib/domain/alerts/notifications";
import { Badge } from "../ui/badge";
import { Table, Td, Th } from "../ui/table";

const when = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

function kindTone(kind: AlertDto["kind"]) {
  return kind === "cert_expired" ? "red" : kind === "cert_expiry_30" ? "amber" : kind === "crl_stale" ? "blue" : "red";
}

/** Where the alert's webhook delivery stands, in words. */
export function notificationStatus(a: AlertDto, webhookConfigured: boolean): { label: string; detail?: string; tone: "green" | "amber" | "red" | "neutral" } {
  if (a.notifiedAt) return { label: "Sent", detail: when(a.notifiedAt), tone: "green" };
  if (a.attempts >= MAX_ATTEMPTS) return { label: `Failed after ${a.attempts} attempts`, detail: a.lastError ?? undefined, tone: "red" };
  if (a.resolvedAt) return { label: "Not sent", detail: "Resolved before delivery", tone: "neutral" };
  if (a.attempts > 0) {
    const next = a.nextAttemptAt ? `; next attempt ${when(a.nextAttemptAt)}` : "";
    return { label: "Retrying", detail: `Attempt ${a.attempts} failed: ${a.lastError ?? "unknown error"}${next}`, tone: "amber" };
  }
  if (!webhookConfigured) return { label: "Not sent", detail: "No webhook configured", tone: "neutral" };
  return { label: "Pending", tone: "neutral" };
}

export function AlertsTable({ alerts, webhookConfigured }: { alerts: AlertDto[]; webhookConfigured: boolean }) {
  return (
    <Table caption="Alerts">
      <thead>
        <tr>
          <Th>Kind</Th>
          <Th>Resource</Th>
          <Th>Message</Th>
          <Th>Raised</Th>
          <Th>Notification</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {alerts.map((a) => {
          const status = notificationStatus(a, webhookConfigured);
          return (
            <tr key={a.id}>
              <Td>
                <Badge tone={kindTone(a.kind)}>{a.kindLabel}</Badge>
                {a.resolvedAt ? <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">Resolved {when(a.resolvedAt)}</p> : null}
              </Td>
              <Td>
                {a.resourceName ? (
                  <Link href={`/access-controls/service-credentials/mutual-tls/${a.resourceId}`} className="text-brand-600 hover:underline dark:text-brand-100">
                    {a.resourceName}
                  </Link>
                ) : (
                  <span className="text-slate-500 dark:text-slate-400">Deleted certificate</span>
                )}
              </Td>
              <Td className="max-w-md">{a.message}</Td>
              <Td className="whitespace-nowrap text-slate-600 dark:text-slate-400">
                <time dateTime={a.createdAt}>{when(a.createdAt)}</time>
              </Td>
              <Td>
                <Badge tone={status.tone}>{status.label}</Badge>
                {status.detail ? <p className="mt-1 max-w-xs text-xs text-slate-600 dark:text-slate-400">{status.detail}</p> : null}
              </Td>
            </tr>
          );
        })}
      </tbody>
    </Table>
  );
}
