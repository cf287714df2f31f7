import Link from "next/link";
import { activeAlerts, type AlertCondition } from "@/lib/domain/alerts";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** "2 certificates expire within 30 days", "1 certificate has expired", "1 CRL is out of date", "1 service token has expired". */
export function bannerSentences(conditions: AlertCondition[]): string[] {
  const distinct = (kinds: string[]) => new Set(conditions.filter((c) => kinds.includes(c.kind)).map((c) => c.resourceId)).size;
  const expired = distinct(["cert_expired"]);
  const expiring = distinct(["cert_expiry_30", "cert_expiry_14"]);
  const stale = distinct(["crl_stale"]);
  const fetchFailed = distinct(["crl_fetch_failed"]);
  const tokensExpired = distinct(["service_token_expired"]);
  const tokensExpiring = distinct(["service_token_expiry_30", "service_token_expiry_14"]);
  const out: string[] = [];
  if (expired) out.push(`${plural(expired, "certificate has", "certificates have")} expired`);
  if (expiring) out.push(`${plural(expiring, "certificate expires", "certificates expire")} within 30 days`);
  if (stale) out.push(`${plural(stale, "CRL is", "CRLs are")} out of date`);
  if (fetchFailed) out.push(`${plural(fetchFailed, "CRL download", "CRL downloads")} failed`);
  if (tokensExpired) out.push(`${plural(tokensExpired, "service token has", "service tokens have")} expired`);
  if (tokensExpiring) out.push(`${plural(tokensExpiring, "service token expires", "service tokens expire")} within 30 days`);
  return out;
}

/** Server component: a status banner while any certificate or service-token alert holds; nothing otherwise. */
export async function AlertBanner({ className = "mb-6" }: { className?: string }) {
  const sentences = bannerSentences(await activeAlerts());
  if (!sentences.length) return null;
  const severe = sentences.some((s) => s.includes("expired"));
  return (
    <div
      role="status"
      className={`${className} flex flex-wrap items-center gap-x-2 gap-y-1 rounded-md border px-3 py-2 text-sm ${
        severe
          ? "border-red-300 bg-red-50 text-red-900 dark:border-red-800 dark:bg-red-950 dark:text-red-100"
          : "border-amber-300 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100"
      }`}
    >
      <span>{sentences.join("; ")}</span>
      <span aria-hidden="true">—</span>
      <Link href="/alerts" className="font-medium underline">
        View alerts
      </Link>
    </div>
  );
}
