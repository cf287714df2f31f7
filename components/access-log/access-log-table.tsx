import { BlockCertificateButton } from "@/components/blocked-certificates/block-button";
import { Badge } from "@/components/ui/badge";
import { buttonClass } from "@/components/ui/button";
import { Table, Td, Th } from "@/components/ui/table";
import type { AccessLogDto } from "@/lib/domain/access-log";

/** A row's time as the log shows it ("2026-03-10 12:20:01 UTC"). */
export const logTime = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, " UTC");

/**
 * Gateway decisions, newest first; a row that stands for several identical requests of the same second says how many.
 * Each row's Explain opens Test mTLS with that request filled in. Rows in `fresh`
 * arrived while the page was open (the live log highlights them). `canBlock` (admins): rows whose request presented a
 * certificate get Block this certificate too (the instant lock of its leaf).
 */
export function AccessLogTable({ entries, fresh, canBlock = false }: { entries: AccessLogDto[]; fresh?: ReadonlySet<number>; canBlock?: boolean }) {
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
          <Th>
            <span className="sr-only">Actions</span>
          </Th>
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
        {entries.map((e) => (
          <tr key={e.id} className={fresh?.has(e.id) ? "bg-brand-50 dark:bg-brand-700/20" : undefined}>
            <Td className="whitespace-nowrap tabular-nums">
              <time dateTime={e.at}>{logTime(e.at)}</time>
              {e.requests > 1 ? (
                <div className="text-xs text-slate-500 dark:text-slate-400" title="Identical requests within this second share one row">
                  {`× ${e.requests.toLocaleString("en-US")} requests`}
                </div>
              ) : null}
            </Td>
            <Td>
              {e.hostname}
              {e.path ? <div className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">{e.path}</div> : null}
            </Td>
            <Td>{e.application_name ?? <span className="text-slate-500 dark:text-slate-400">None</span>}</Td>
            <Td>
              {e.client_cn ?? <span className="text-slate-500 dark:text-slate-400">{e.serial_number ? "No Common Name" : "None"}</span>}
              {e.serial_number ? <div className="font-mono text-xs break-all text-slate-500 dark:text-slate-400">Serial {e.serial_number}</div> : null}
            </Td>
            <Td>{e.decision === "allow" ? <Badge tone="green">Allowed</Badge> : <Badge tone="red">Blocked</Badge>}</Td>
            <Td>{e.policy_name ?? <span className="text-slate-500 dark:text-slate-400">None</span>}</Td>
            <Td className="max-w-md text-xs">{e.reason}</Td>
            <Td className="font-mono text-xs">{e.ip}</Td>
            <Td>
              {/* A GET form: a real button (the UI contract's role), works without JavaScript, and viewers may use it. */}
              <form method="get" action="/access-controls/test">
                <input type="hidden" name="explain" value={e.id} />
                <button type="submit" className={buttonClass("secondary", "sm")} aria-describedby={`access-log-${e.id}`}>
                  Explain
                </button>
                <span id={`access-log-${e.id}`} className="sr-only">
                  {`${e.decision === "allow" ? "Allowed" : "Blocked"} ${e.requests > 1 ? `${e.requests.toLocaleString("en-US")} identical requests` : "request"} to ${e.hostname}${e.path ?? ""} at ${logTime(e.at)}`}
                </span>
              </form>
              {canBlock && e.chain_sha256.length ? (
                <div className="mt-1">
                  <BlockCertificateButton target={{ access_log_id: String(e.id) }} source="access_log" label={e.client_cn ? `the certificate of ${e.client_cn}${e.serial_number ? ` (serial ${e.serial_number})` : ""}` : "this request's client certificate"} describedById={`access-log-${e.id}`} />
                </div>
              ) : null}
            </Td>
          </tr>
        ))}
      </tbody>
    </Table>
  );
}
