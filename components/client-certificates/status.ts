import type { ClientCertificateStatus } from "@/lib/domain/client-certificates/view";

/** The statuses' names in the list and its filter. */
export const STATUS_LABELS: Record<ClientCertificateStatus, { label: string; tone: "green" | "amber" | "red" }> = {
  active: { label: "Active", tone: "green" },
  pending_revocation: { label: "Pending revocation", tone: "amber" },
  revoked: { label: "Revoked", tone: "red" },
};
