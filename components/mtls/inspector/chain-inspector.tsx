"use client";

import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import type { InspectResult } from "@/lib/pki/types";
import { CertificateCard, IssueLines } from "./certificate-card";
import { ChainDiagram } from "./chain-diagram";
import { VERDICT_TEXT, VERDICT_TONE } from "./format";
import type { Inspection } from "./use-chain-inspection";

/** Cards beyond this many render collapsed (a public-root bundle has ~150 certificates). */
export const EXPANDED_CARDS = 8;

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** PEM in the order the inspector suggests (children before issuers, root last). */
export function reorderedPem(result: InspectResult): string {
  return (result.reorder ?? result.certificates.map((_, i) => i)).map((i) => result.certificates[i].pem).join("");
}

export function ChainInspector({ inspection, onReorder }: { inspection: Inspection; onReorder?: (pem: string) => void }) {
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
        <span role="status" className="text-xs text-slate-500">
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
          {result.issues.length ? (
            <div aria-label="Problems" role="group" className="rounded-md border border-slate-200 p-3 dark:border-slate-800">
              <IssueLines issues={result.issues} />
            </div>
          ) : (
            <p className="text-sm text-emerald-700 dark:text-emerald-400">No problems found: this chain can be saved.</p>
          )}
          {total ? <ChainDiagram certificates={result.certificates} links={result.links} /> : null}
          <CertificateList certificates={result.certificates} />
        </>
      ) : null}
    </section>
  );
}

export function CertificateList({ certificates }: { certificates: InspectResult["certificates"] | Parameters<typeof CertificateCard>[0]["cert"][] }) {
  if (!certificates.length) return null;
  return (
    <ol aria-label="Certificates" className="space-y-3">
      {certificates.map((c, i) => (
        <CertificateCard key={`${i}-${c.sha256Fingerprint}`} cert={c} position={i + 1} total={certificates.length} collapsed={i >= EXPANDED_CARDS} />
      ))}
    </ol>
  );
}
