import { Badge } from "@/components/ui/badge";

const DAY = 86_400_000;

/** Expired / Expires in N days (within 30 days) / Valid. */
export function ExpiryBadge({ expiresOn, now = new Date() }: { expiresOn: string; now?: Date }) {
  const ms = new Date(expiresOn).getTime() - now.getTime();
  const date = expiresOn.slice(0, 10);
  if (ms < 0) return <Badge tone="red">Expired</Badge>;
  const days = Math.floor(ms / DAY);
  const badge = days < 30 ? <Badge tone="amber">{`Expires in ${days} day${days === 1 ? "" : "s"}`}</Badge> : <Badge tone="green">Valid</Badge>;
  return (
    <span className="inline-flex flex-col items-start gap-0.5">
      {badge}
      <span className="text-xs text-slate-500 dark:text-slate-400">until {date}</span>
    </span>
  );
}
