import type { ChainLink } from "@/lib/pki/types";
import { displayName, type CardSummary } from "./format";

const MAX_NODES = 25;

/** Stored chains were verified on upload; their links are found again by issuer name. */
function storedLink(certs: CardSummary[], i: number): ChainLink | undefined {
  const j = certs.findIndex((c, k) => k !== i && c.subject === certs[i].issuer);
  return j < 0 ? undefined : { from: i, to: j, ok: true, nameMatch: true, keyIdMatch: null, signatureValid: true };
}

/**
 * The chain as text and symbols: each certificate, then the link to its issuer with ✓ or ✗. No list
 * elements here: the inspector's list items are the certificate cards (UI contract).
 */
export function ChainDiagram({ certificates, links }: { certificates: CardSummary[]; links: ChainLink[] | null }) {
  const shown = certificates.slice(0, MAX_NODES);
  return (
    <div className="rounded-md border border-slate-200 bg-slate-50 p-3 text-sm dark:border-slate-800 dark:bg-slate-900/50">
      <p className="mb-2 text-xs font-semibold tracking-wide text-slate-500 dark:text-slate-400 uppercase">Chain of trust</p>
      <div className="flex flex-wrap items-center gap-x-2 gap-y-2">
        {shown.map((c, i) => {
          const link = links ? links.find((l) => l.from === i) : storedLink(certificates, i);
          return (
            <span key={i} className="inline-flex items-center gap-2">
              <span className="rounded border border-slate-300 bg-white px-2 py-0.5 dark:border-slate-600 dark:bg-slate-800">
                <span className="text-xs text-slate-500 dark:text-slate-400">#{i + 1}</span> {displayName(c)}
              </span>
              {c.selfSigned ? (
                <span className="text-emerald-700 dark:text-emerald-400">
                  <span aria-hidden>✓ ⟲</span>
                  <span className="sr-only">Certificate {i + 1} is a self-signed root.</span>
                </span>
              ) : link ? (
                <span className={link.ok ? "text-emerald-700 dark:text-emerald-400" : "text-red-700 dark:text-red-400"}>
                  <span aria-hidden>{link.ok ? "→ ✓" : "→ ✗"} #{link.to + 1}</span>
                  <span className="sr-only">
                    Certificate {i + 1} is issued by certificate {link.to + 1}: {link.ok ? "verified" : "does not verify"}.
                  </span>
                </span>
              ) : (
                <span className="text-red-700 dark:text-red-400">
                  <span aria-hidden>→ ✗ ?</span>
                  <span className="sr-only">The issuer of certificate {i + 1} is not in the bundle.</span>
                </span>
              )}
            </span>
          );
        })}
        {certificates.length > MAX_NODES ? <span className="text-slate-500 dark:text-slate-400">… and {certificates.length - MAX_NODES} more</span> : null}
      </div>
    </div>
  );
}
