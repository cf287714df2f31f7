"use client";

import { memo } from "react";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { InspectResult } from "@/lib/pki/types";
import { CertificateCard, IssueLines } from "./certificate-card";
import { ChainDiagram } from "./chain-diagram";
import { VERDICT_TEXT, VERDICT_TONE, type CardSummary } from "./format";
import type { Inspection } from "./use-chain-inspection";

/** Cards beyond this many render collapsed (a public-root bundle has ~150 certificates). */
export const EXPANDED_CARDS = 8;
type Cards = readonly CardSummary[];

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** PEM in the order the inspector suggests (children before issuers, root last). */
export function reorderedPem(result: InspectResult): string {
  return (result.reorder ?? result.certificates.map((_, i) => i)).map((i) => result.certificates[i].pem).join("");
}

/**
 * A new result renders in one concurrent render, verdict and every card together (React yields every few ms while
 * it builds them, so no task grows long). Since the cards are content-visibility: auto (certificate-card.tsx), the
 * ones off screen cost no layout when that render is committed. Rendering the first cards in a frame of their own and
 * the rest after it cost a second commit, a timer and a frame: with one render (and lighter card headers) the page's
 * part of a first 144-certificate paste went from 68 to 48 ms in the bench, the verdict now showing with every card.
 */
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
  return (
    <section
      aria-labelledby="chain-inspector-heading"
      aria-busy={inspection.status === "running"}
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
          <ResultDetails result={result} />
        </>
      ) : null}
    </section>
  );
}

/** Problems, chain diagram and cards: re-rendered only for a new result, not for status changes. */
const ResultDetails = memo(function ResultDetails({ result }: { result: InspectResult }) {
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
      <CertificateList certificates={result.certificates} />
    </>
  );
});

/** Same certificate at the same place: the card need not render again (its text derives from the DER, position and total). */
const MemoCard = memo(
  CertificateCard,
  (a, b) =>
    a.cert.sha256Fingerprint === b.cert.sha256Fingerprint && a.cert.verdict === b.cert.verdict && a.position === b.position && a.total === b.total && a.collapsed === b.collapsed && a.issues === b.issues,
);

/** One list item per certificate. */
export function CertificateList({ certificates }: { certificates: Cards }) {
  if (!certificates.length) return null;
  return (
    <ol aria-label="Certificates" className="space-y-3">
      {certificates.map((c, i) => (
        <MemoCard key={`${i}-${c.sha256Fingerprint}`} cert={c} position={i + 1} total={certificates.length} collapsed={i >= EXPANDED_CARDS} />
      ))}
    </ol>
  );
}
