import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { HeaderRow, Table, TBody, Td } from "@/components/ui/table";
import { clientCertificatesSeenBy } from "@/lib/domain/blocked-certificates/seen";
import { BlockCertificateButton } from "./block-button";

const fmtUtc = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;

/** A CA's client certificates the gateway has seen, newest first, each with Block this certificate (admins). */
export async function ClientCertificatesSeen({ caSubjects, canEdit }: { caSubjects: string[]; canEdit: boolean }) {
  const items = await clientCertificatesSeenBy(caSubjects);
  return (
    <section aria-labelledby="clients-seen-heading">
      <h2 id="clients-seen-heading" className="text-lg font-semibold">
        Client certificates seen
      </h2>
      <p className="mt-1 mb-3 text-sm text-slate-600 dark:text-slate-400">
        Certificates this CA issued that clients presented at the gateway, most recent first. Blocking one refuses it within a second on every application (
        <Link href="/access-controls/service-credentials/mutual-tls/blocked" className="underline">
          Blocked certificates
        </Link>
        ).
      </p>
      {items.length === 0 ? (
        <p className="text-sm">No client has presented a certificate of this CA yet.</p>
      ) : (
        <Table caption="Client certificates seen">
          <HeaderRow columns={["Subject", "Serial number", "Expires", "Last seen"]} actions />
          <TBody>
            {items.map((c) => (
              <tr key={c.sha256}>
                <Td>
                  <span id={`seen-${c.sha256}`}>{c.subject || "(empty subject)"}</span>
                </Td>
                <Td className="font-mono text-xs break-all">{c.serial_number}</Td>
                <Td className="text-xs whitespace-nowrap">{fmtUtc(c.not_after)}</Td>
                <Td className="text-xs whitespace-nowrap">{fmtUtc(c.last_seen)}</Td>
                <Td className="text-right">
                  {canEdit ? (
                    <BlockCertificateButton target={{ sha256: c.sha256 }} source="certificate" label={c.subject || `serial ${c.serial_number}`} describedById={`seen-${c.sha256}`} blocked={c.blocked} />
                  ) : c.blocked ? (
                    <Badge tone="red">Blocked</Badge>
                  ) : null}
                </Td>
              </tr>
            ))}
          </TBody>
        </Table>
      )}
    </section>
  );
}
