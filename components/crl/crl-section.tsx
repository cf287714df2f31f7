import type { CertificateDto } from "@/lib/domain/certificates";
import { isCrlStale, type StoredCrlSummary } from "@/lib/domain/crls";
import { Table, Td, Th } from "@/components/ui/table";
import type { CrlSource } from "@/lib/domain/crls/refresh";
import { CrlForm, RemoveCrlButton } from "./crl-form";
import { CrlUrlForm } from "./crl-url-form";

const day = (iso: string | null) => (iso ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : "Not set");

/** "Certificate revocation list" section of the certificate's Configure page (server component). */
export function CrlSection({ cert, canEdit, source }: { cert: CertificateDto; canEdit: boolean; source?: CrlSource | null }) {
  const crl = cert.crl as StoredCrlSummary | null;
  const stale = isCrlStale(crl);
  return (
    <section aria-labelledby="crl-heading" className="space-y-4">
      <h2 id="crl-heading" className="text-lg font-semibold">
        Certificate revocation list
      </h2>
      <p className="max-w-3xl text-sm text-slate-600 dark:text-slate-400">
        Upload the CRL issued by a CA of this chain (for example the intermediate). Client certificates it lists are refused with
        &ldquo;certificate revoked&rdquo;. When the CRL passes its next update, clients of that CA are refused with &ldquo;CRL has expired&rdquo;
        until you upload a current one.
      </p>
      {crl ? (
        <>
          {stale ? (
            <div role="alert" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
              This CRL is out of date: its next update was due on {day(crl.nextUpdate)}. Upload a current CRL.
            </div>
          ) : null}
          <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1 text-sm">
            <dt className="font-medium">Issuer</dt>
            <dd className="break-all">{crl.issuer}</dd>
            {crl.signedBy ? (
              <>
                <dt className="font-medium">Signed by</dt>
                <dd>
                  Certificate #{crl.signedBy.index + 1} of the chain ({crl.signedBy.subjectCN ?? crl.signedBy.subject})
                </dd>
              </>
            ) : null}
            <dt className="font-medium">This update</dt>
            <dd>{day(crl.thisUpdate)}</dd>
            <dt className="font-medium">Next update</dt>
            <dd>{day(crl.nextUpdate)}</dd>
            <dt className="font-medium">Revoked certificates</dt>
            <dd>{crl.revoked_count}</dd>
          </dl>
          {crl.revoked.length ? (
            <Table caption="Revoked certificates">
              <thead>
                <tr>
                  <Th>Serial number</Th>
                  <Th>Revocation date</Th>
                  <Th>Reason</Th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {crl.revoked.map((r) => (
                  <tr key={r.serialNumber}>
                    <Td className="font-mono text-xs break-all">{r.serialNumber}</Td>
                    <Td>{day(r.revocationDate)}</Td>
                    <Td>{r.reason ?? "Not given"}</Td>
                  </tr>
                ))}
              </tbody>
            </Table>
          ) : (
            <p className="text-sm">This CRL revokes no certificates.</p>
          )}
          {crl.revoked_count > crl.revoked.length ? (
            <p className="text-sm text-slate-600 dark:text-slate-400">
              Showing the first {crl.revoked.length} of {crl.revoked_count}; every listed serial is checked.
            </p>
          ) : null}
          {canEdit ? <RemoveCrlButton id={cert.id} version={cert.version} /> : null}
        </>
      ) : (
        <p className="text-sm">No CRL uploaded: revocation is not checked for this chain.</p>
      )}
      {source && (canEdit || source.url) ? <CrlUrlForm id={cert.id} version={cert.version} source={source} canEdit={canEdit} /> : null}
      {canEdit ? <CrlForm id={cert.id} version={cert.version} replacing={!!crl} /> : null}
    </section>
  );
}
