"use client";

import { useActionState } from "react";
import { unblockCertificateAction } from "@/lib/actions/blocked-certificates";
import type { BlockedCertificateDto } from "@/lib/domain/blocked-certificates";
import { SubmitButton } from "../ui/submit-button";
import { Td } from "../ui/table";

const fmtUtc = (iso: string) => `${iso.replace("T", " ").slice(0, 16)} UTC`;
const colonHex = (hex: string) => hex.toUpperCase().match(/../g)?.join(":") ?? hex;
const SOURCE: Record<BlockedCertificateDto["source"], string> = { access_log: "Access log", test_mtls: "Test mTLS", certificate: "CA certificate list", api: "API", console: "Console" };

/** One blocked certificate: what matches, why, who and when; Unblock (admins). */
export function BlockedCertificateRow({ item, canEdit }: { item: BlockedCertificateDto; canEdit: boolean }) {
  const [state, unblock] = useActionState(unblockCertificateAction, null);
  const nameId = `blocked-${item.id}`;
  return (
    <tr>
      <Td>
        <span id={nameId} className="font-medium">
          {item.subject ?? (item.match === "sha256" ? "Certificate by fingerprint" : `Serial ${colonHex(item.serial_number ?? "")}`)}
        </span>
        {item.issuer ? <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">Issuer {item.issuer}</p> : null}
      </Td>
      <Td className="font-mono text-xs break-all">
        {item.match === "sha256" ? (
          <>
            <span className="font-sans text-slate-600 dark:text-slate-400">SHA-256 </span>
            {colonHex(item.sha256 ?? "")}
          </>
        ) : (
          <>
            <span className="font-sans text-slate-600 dark:text-slate-400">Issuer + serial </span>
            {colonHex(item.serial_number ?? "")}
          </>
        )}
      </Td>
      <Td>{item.reason}</Td>
      <Td className="text-xs">
        {fmtUtc(item.created_at)}
        <p className="text-slate-600 dark:text-slate-400">
          {item.created_by} · {SOURCE[item.source] ?? item.source}
        </p>
      </Td>
      {canEdit ? (
        <Td className="text-right whitespace-nowrap">
          <form action={unblock}>
            <input type="hidden" name="id" value={item.id} />
            <SubmitButton size="sm" variant="secondary" pendingText="Unblocking…" aria-describedby={nameId}>
              Unblock
            </SubmitButton>
          </form>
          {state && !state.ok ? (
            <p role="alert" className="mt-1 text-left text-xs whitespace-normal">
              {state.message}
            </p>
          ) : null}
        </Td>
      ) : null}
    </tr>
  );
}
