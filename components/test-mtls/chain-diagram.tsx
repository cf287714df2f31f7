import type { ChainNode } from "@/lib/domain/test-mtls";
import { cn } from "@/components/ui/cn";

const ROLE = { leaf: "Client certificate", intermediate: "Intermediate CA", root: "Root CA" } as const;

/** Leaf → intermediate(s) → root as boxes with arrows; the figcaption is the text alternative. */
export function ChainDiagram({ chain }: { chain: ChainNode[] }) {
  const text = chain.map((c) => `${c.subjectCN ?? c.subject} (${ROLE[c.role].toLowerCase()}${c.ok ? "" : `: ${c.errors.join(", ")}`})`).join(" → ");
  return (
    <figure aria-labelledby="tm-chain-caption">
      <figcaption id="tm-chain-caption" className="text-sm font-semibold">
        Certificate chain <span className="sr-only">: {text}</span>
      </figcaption>
      <ol aria-hidden="true" className="mt-2 flex flex-wrap items-stretch gap-2 text-xs">
        {chain.map((c, i) => (
          <li key={c.depth} className="flex items-center gap-2">
            {i > 0 ? <span className="text-lg text-slate-400">→</span> : null}
            <div
              className={cn(
                "max-w-56 rounded-md border-2 px-3 py-2",
                c.ok ? "border-emerald-400 bg-emerald-50 dark:bg-emerald-950" : "border-red-400 bg-red-50 dark:bg-red-950",
              )}
            >
              <div className="font-semibold text-slate-600 uppercase dark:text-slate-400">{ROLE[c.role]}</div>
              <div className="truncate font-medium" title={c.subject}>
                {c.subjectCN ?? c.subject}
              </div>
              <div className="text-slate-600 dark:text-slate-400">{c.trusted ? "From the trust store" : "Sent by the client"}</div>
              {c.errors.map((e) => (
                <div key={e} className="font-medium text-red-700 dark:text-red-300">
                  {e}
                </div>
              ))}
            </div>
          </li>
        ))}
      </ol>
    </figure>
  );
}
