import { Badge } from "@/components/ui/badge";
import { Table, Td, Th } from "@/components/ui/table";
import type { AccessLogDto } from "@/lib/domain/access-log";

const time = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");

/** Gateway decisions, newest first. */
export function AccessLogTable({ entries }: { entries: AccessLogDto[] }) {
  return (
    <Table caption="Gateway access decisions">
      <thead>
        <tr>
          <Th>Time</Th>
          <Th>Hostname</Th>
          <Th>Application</Th>
          <Th>Client certificate</Th>
          <Th>Decision</Th>
          <Th>Policy</Th>
          <Th>Reason</Th>
          <Th>IP</Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {entries.map((e) => (
          <tr key={e.id}>
            <Td className="whitespace-nowrap tabular-nums">
              <time dateTime={e.at}>{time(e.at)}</time>
            </Td>
            <Td>{e.hostname}</Td>
            <Td>{e.application_name ?? <span className="text-slate-500">None</span>}</Td>
            <Td>
              {e.client_cn ?? <span className="text-slate-500">{e.serial_number ? "No Common Name" : "None"}</span>}
              {e.serial_number ? <div className="font-mono text-xs break-all text-slate-500">Serial {e.serial_number}</div> : null}
            </Td>
            <Td>{e.decision === "allow" ? <Badge tone="green">Allowed</Badge> : <Badge tone="red">Blocked</Badge>}</Td>
            <Td>{e.policy_name ?? <span className="text-slate-500">None</span>}</Td>
            <Td className="max-w-md text-xs">{e.reason}</Td>
            <Td className="font-mono text-xs">{e.ip}</Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
