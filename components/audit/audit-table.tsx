import type { AuditEventDto } from "@/lib/domain/audit";
import { Table, Td, Th } from "../ui/table";

function summarize(e: AuditEventDto): string {
  const after = e.after as Record<string, unknown> | null;
  const before = e.before as Record<string, unknown> | null;
  const name = (after?.name ?? before?.name ?? after?.email ?? before?.email) as string | undefined;
  return name ? String(name) : (e.resourceId ?? "");
}

/** Audit events as a table; every value is rendered as text (React escapes it). */
export function AuditTable({ events, caption = "Audit events" }: { events: AuditEventDto[]; caption?: string }) {
  return (
    <Table caption={caption}>
      <thead>
        <tr>
          <Th>Time</Th>
          <Th>Actor</Th>
          <Th>Action</Th>
          <Th>Resource</Th>
          <Th>Details</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {events.map((e) => (
          <tr key={e.id}>
            <Td className="whitespace-nowrap text-slate-600 dark:text-slate-400">
              <time dateTime={e.at}>{e.at.replace("T", " ").slice(0, 19)} UTC</time>
            </Td>
            <Td className="max-w-56 truncate" title={e.actor}>
              {e.actor}
            </Td>
            <Td className="font-mono text-xs">{e.action}</Td>
            <Td>{e.resourceType}</Td>
            <Td className="max-w-72 truncate text-slate-600 dark:text-slate-400" title={summarize(e)}>
              {summarize(e)}
              {e.ip ? <span className="ml-2 text-xs text-slate-500 dark:text-slate-400">from {e.ip}</span> : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
