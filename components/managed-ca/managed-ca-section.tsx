import type { ManagedCaView } from "@/lib/domain/managed-ca";
import { Badge } from "../ui/badge";
import { HeaderRow, Table, TBody, Td } from "../ui/table";
import { CA_KEY_CHOICES } from "./key-choices";
import { CreateManagedCaForm, ImportManagedCaForm, ManagedCaRowActions } from "./managed-ca-controls";

const keyTypeLabel = (k: string) => CA_KEY_CHOICES.find((c) => c.value === k)?.label ?? k;

/** The **Managed** marker of a managed CA's row in the Mutual TLS list. */
export function ManagedBadge() {
  return <Badge tone="blue">Managed</Badge>;
}

/**
 * Mutual TLS → **Managed CA**: the CAs Portcullis runs itself (they are also rows of the list, marked Managed),
 * which one issues, where each publishes its CRL; for admins rotation, retirement and backup (PKCS#12 export and
 * import).
 */
export function ManagedCaSection({ cas, canEdit }: { cas: ManagedCaView[]; canEdit: boolean }) {
  return (
    <section aria-labelledby="managed-ca-heading" className="mt-8 space-y-3">
      <h2 id="managed-ca-heading" className="text-lg font-semibold">
        Managed CA
      </h2>
      <p className="text-sm text-slate-700 dark:text-slate-300">
        Portcullis&apos;s own CA issues the certificates of Access controls → Client certificates. Associate it with hostnames like any CA (Configure); its CRL is published at the address below, without sign-in.
        {cas.length === 0 ? " It is created when the first client certificate is issued." : null}
      </p>
      {cas.length ? (
        <Table caption="Managed CAs">
          <HeaderRow columns={["CA name", "Key type", "Valid until", "Status", "CRL"]} actions={canEdit} />
          <TBody>
            {cas.map((ca) => (
              <tr key={ca.id}>
                <Td className="font-medium">{ca.name}</Td>
                <Td>{keyTypeLabel(ca.keyType)}</Td>
                <Td className="whitespace-nowrap">{ca.expiresOn.slice(0, 10)}</Td>
                <Td>
                  {ca.retiredAt ? (
                    <Badge>Retired</Badge>
                  ) : ca.current ? (
                    <Badge tone="green">Issuing</Badge>
                  ) : (
                    <Badge tone="amber">Trusted, not issuing</Badge>
                  )}
                  <p className="mt-1 text-xs text-slate-600 dark:text-slate-300">
                    {ca.activeCount} active of {ca.issuedCount} issued
                  </p>
                </Td>
                <Td className="text-xs">
                  <a href={ca.crl.url} aria-label={`CRL of ${ca.name} (DER)`} className="text-brand-700 underline dark:text-brand-300">
                    DER
                  </a>{" "}
                  ·{" "}
                  <a href={ca.crl.pemUrl} aria-label={`CRL of ${ca.name} (PEM)`} className="text-brand-700 underline dark:text-brand-300">
                    PEM
                  </a>
                  <p className="mt-1 text-slate-600 dark:text-slate-300">{ca.crl.revokedCount} revoked</p>
                </Td>
                {canEdit ? (
                  <Td className="text-right">
                    <ManagedCaRowActions ca={{ id: ca.id, name: ca.name, retired: !!ca.retiredAt, current: ca.current }} />
                  </Td>
                ) : null}
              </tr>
            ))}
          </TBody>
        </Table>
      ) : null}
      {canEdit ? (
        <div className="grid gap-6 rounded-md border border-slate-200 p-4 sm:grid-cols-2 dark:border-slate-700">
          <CreateManagedCaForm />
          <ImportManagedCaForm />
        </div>
      ) : null}
    </section>
  );
}
