/** Pure display helpers shared by the live inspector and the stored-chain view (no x509 code). */
import type { CertificateSummary, Severity, Verdict } from "@/lib/pki/types";

export type CardSummary = Omit<CertificateSummary, "pem">;

/** "2035-01-02 10:11:12 UTC": the same in every browser locale and time zone. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export function basicConstraintsText(bc: CardSummary["basicConstraints"]): string {
  if (!bc) return "Absent";
  const parts = [bc.ca ? "CA:TRUE" : "CA:FALSE"];
  if (bc.pathLength !== null) parts.push(`pathlen:${bc.pathLength}`);
  if (bc.critical) parts.push("critical");
  return parts.join(", ");
}

export function roleOf(c: CardSummary, index: number, total: number): string {
  if (c.selfSigned) return "Root CA";
  if (c.basicConstraints?.ca) return index === total - 1 ? "CA (issuer not included)" : "Intermediate CA";
  return "End-entity certificate";
}

export const VERDICT_TEXT: Record<Verdict, string> = { ok: "Valid", warning: "Valid with warnings", error: "Invalid" };
export const VERDICT_TONE: Record<Verdict, "green" | "amber" | "red"> = { ok: "green", warning: "amber", error: "red" };
export const SEVERITY_TEXT: Record<Severity, string> = { error: "Error", warning: "Warning", info: "Note" };

export function displayName(c: CardSummary): string {
  return c.subjectCN ?? (c.subject || "(empty subject)");
}
