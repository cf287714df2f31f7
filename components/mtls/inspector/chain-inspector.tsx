"use client";

import { memo, startTransition, useEffect, useState } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { InspectResult } from "@/lib/pki/types";
import { CertificateCard, IssueLines } from "./certificate-card";
import { ChainDiagram } from "./chain-diagram";
import { VERDICT_TEXT, VERDICT_TONE, type CardSummary } from "./format";
import type { Inspection } from "./use-chain-inspection";

/** Cards beyond this many render collapsed (a public-root bundle has ~150 certificates). */
export const EXPANDED_CARDS = 8;
/**
 * A new result renders its verdict and first cards at once and the rest in a second, concurrent render (React yields
 * every few ms while it builds them), so the verdict's frame stays small. The region stays aria-busy until every card
 * is in the list. Since the cards are content-visibility: auto (certificate-card.tsx), the ones off screen cost no
 * layout, and one chunk for the rest beats 32-card chunks: each chunk waited for its own frame and timer (five for a
 * 144-certificate bundle) and laid out ~650 objects, most of them never on screen.
 */
const FIRST_CARDS = 4;
const CARDS_PER_CHUNK = 256;

type Cards = readonly CardSummary[];

function sameCertificates(a: Cards | null, b: Cards | null): boolean {
  return !!a && !!b && a.length === b.length && a.every((c, i) => c.sha256Fingerprint === b[i].sha256Fingerprint);
}

/** How many of `certs` to render now; grows by CARDS_PER_CHUNK per task until all are shown. */
function useProgressiveCount(certs: Cards | null): number {
  const total = certs?.length ?? 0;
  const [shown, setShown] = useState<{ certs: Cards | null; count: number }>({ certs, count: Math.min(total, FIRST_CARDS) });
  let count = shown.count;
  if (shown.certs !== certs) {
    // The same certificates again (an edit elsewhere in the text): keep what is shown, the cards are memoised.
    count = sameCertificates(shown.certs, certs) ? shown.count : Math.min(total, FIRST_CARDS);
    setShown({ certs, count });
  }
  useEffect(() => {
    if (count >= total) return;
    const timer = setTimeout(() => {
      startTransition(() => setShown((s) => (s.certs === certs ? { certs, count: Math.min(total, s.count + CARDS_PER_CHUNK) } : s)));
    }, 0);
    return () => clearTimeout(timer);
  }, [certs, count, total]);
  return Math.min(count, total);
}

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** PEM in the order the inspector suggests (children before issuers, root last). */
export function reorderedPem(result: InspectResult): string {
  return (result.reorder ?? result.certificates.map((_, i) => i)).map((i) => result.certificates[i].pem).join("");
}

export function ChainInspector({
  inspection,
  onReorder,
  notices,
}: {
  inspection: Inspection;
  onReorder?: (pem: string) => void;
  /** Facts the page knows beyond the chain itself (e.g. "already uploaded as …"): shown, never blocking. */
  notices?: readonly string[];
}) {
  const result = inspection.status === "done" ? inspection.result : inspection.status === "running" ? inspection.previous : null;
  const errors = result?.issues.filter((i) => i.severity === "error").length ?? 0;
  const warnings = result?.issues.filter((i) => i.severity === "warning").length ?? 0;
  const total = result?.certificates.length ?? 0;
  const shown = useProgressiveCount(result?.certificates ?? null);
  return (
    <section
      aria-labelledby="chain-inspector-heading"
      aria-busy={inspection.status === "running" || shown < total}
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900"
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 id="chain-inspector-heading" className="text-base font-semibold">
          Certificate chain inspector
        </h2>
        <span role="status" className="text-xs text-slate-500 dark:text-slate-400">
          {inspection.status === "running" ? "Inspecting…" : ""}
        </span>
      </div>
      {inspection.status === "idle" ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Paste or upload the CA chain: intermediate certificate(s) first, root last. Each certificate is checked here as you type; nothing
          leaves your browser until you save.
        </p>
      ) : null}
      {inspection.status === "failed" ? <p className="text-sm text-red-700 dark:text-red-400">{inspection.message}</p> : null}
      {result ? (
        <>
          <div className="flex flex-wrap items-center gap-2 text-sm">
            <span className="font-medium">Overall verdict:</span>
            <Badge tone={VERDICT_TONE[result.verdict]}>{VERDICT_TEXT[result.verdict]}</Badge>
            <span className="text-slate-600 dark:text-slate-400">
              {plural(total, "certificate")}, {plural(errors, "error")}, {plural(warnings, "warning")}
            </span>
            {result.reorder && onReorder ? (
              <Button size="sm" variant="secondary" onClick={() => onReorder(reorderedPem(result))}>
                Reorder
              </Button>
            ) : null}
          </div>
          {notices?.length ? (
            <ul aria-label="Notices" className="space-y-1 rounded-md border border-amber-300 bg-amber-50 p-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
              {notices.map((n) => (
                <li key={n}>{n}</li>
              ))}
            </ul>
          ) : null}
          <ResultDetails result={result} shown={shown} />
        </>
      ) : null}
    </section>
  );
}

/** Problems, chain diagram and cards: re-rendered only for a new result or a new chunk of cards, not for status changes. */
const ResultDetails = memo(function ResultDetails({ result, shown }: { result: InspectResult; shown: number }) {
  return (
    <>
      {result.issues.length ? (
        <div aria-label="Problems" role="group" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
          <IssueLines issues={result.issues} />
        </div>
      ) : (
        <p className="text-sm text-emerald-700 dark:text-emerald-400">No problems found: this chain can be saved.</p>
      )}
      {result.certificates.length ? <ChainDiagram certificates={result.certificates} links={result.links} /> : null}
      <CertificateList certificates={result.certificates} shown={shown} />
    </>
  );
});

/** Same certificate at the same place: the card need not render again (its text derives from the DER, position and total). */
const MemoCard = memo(
  CertificateCard,
  (a, b) =>
    a.cert.sha256Fingerprint === b.cert.sha256Fingerprint && a.cert.verdict === b.cert.verdict && a.position === b.position && a.total === b.total && a.collapsed === b.collapsed && a.issues === b.issues,
);

/** One list item per certificate; `shown` limits how many render yet (the live inspector fills the list in chunks). */
export function CertificateList({ certificates, shown }: { certificates: Cards; shown?: number }) {
  if (!certificates.length) return null;
  const list = shown === undefined || shown >= certificates.length ? certificates : certificates.slice(0, shown);
  return (
    <ol aria-label="Certificates" className="space-y-3">
      {list.map((c, i) => (
        <MemoCard key={`${i}-${c.sha256Fingerprint}`} cert={c} position={i + 1} total={certificates.length} collapsed={i >= EXPANDED_CARDS} />
      ))}
    </ol>
  );
}
