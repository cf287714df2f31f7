import Link from "next/link";
import { EmptyState } from "@/components/ui/card";
import { Table, Td, Th } from "@/components/ui/table";
import type { AccessSummaryRow } from "@/lib/domain/access-log";

const MAX_ROWS = 10;
const ROW = 28;
const LABEL_W = 180;
const BAR_W = 420;
const COUNT_W = 120;

/** Horizontal stacked bars: allowed (green) and blocked (red) per application. */
function Bars({ rows }: { rows: AccessSummaryRow[] }) {
  const max = Math.max(1, ...rows.map((r) => r.allowed + r.blocked));
  const height = rows.length * ROW + 8;
  const width = LABEL_W + BAR_W + COUNT_W;
  const desc = rows.map((r) => `${r.application}: ${r.allowed} allowed, ${r.blocked} blocked`).join("; ");
  return (
    <svg role="img" aria-labelledby="access-chart-title access-chart-desc" viewBox={`0 0 ${width} ${height}`} className="h-auto w-full max-w-3xl" preserveAspectRatio="xMinYMin meet">
      <title id="access-chart-title">Allowed and blocked requests per application, last 24 hours</title>
      <desc id="access-chart-desc">{desc}</desc>
      {rows.map((r, i) => {
        const y = i * ROW + 4;
        const a = (r.allowed / max) * BAR_W;
        const b = (r.blocked / max) * BAR_W;
        const name = r.application.length > 26 ? `${r.application.slice(0, 25)}…` : r.application;
        return (
          <g key={r.application}>
            <text x={LABEL_W - 8} y={y + ROW / 2} textAnchor="end" dominantBaseline="middle" className="fill-slate-700 text-[12px] dark:fill-slate-200">
              {name}
            </text>
            <rect x={LABEL_W} y={y + 4} width={a} height={ROW - 10} className="fill-emerald-500" />
            <rect x={LABEL_W + a} y={y + 4} width={b} height={ROW - 10} className="fill-red-500" />
            <text x={LABEL_W + a + b + 6} y={y + ROW / 2} dominantBaseline="middle" className="fill-slate-600 text-[11px] tabular-nums dark:fill-slate-300">
              {r.allowed} / {r.blocked}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

function Heading() {
  return (
    <div className="mb-3 flex items-baseline justify-between">
      <h2 id="access-chart-heading" className="text-lg font-semibold">
        Gateway decisions (last 24 hours)
      </h2>
      <Link href="/access-log" className="text-sm text-brand-600 hover:underline dark:text-brand-100">
        View the access log
      </Link>
    </div>
  );
}

/** Shown while the chart's data loads (the Overview streams the chart after the rest of the page). */
export function AccessChartPlaceholder() {
  return (
    <section aria-labelledby="access-chart-heading" aria-busy="true" className="mb-8">
      <Heading />
      <p className="rounded-lg border border-slate-200 bg-white p-4 text-sm text-slate-600 shadow-sm dark:border-slate-800 dark:bg-slate-900 dark:text-slate-400">
        Loading gateway decisions…
      </p>
    </section>
  );
}

/**
 * Overview section: gateway decisions per application over the last 24 hours (`all`: one row per application).
 * Pure: the Overview renders it from the live query (components/overview/live-overview.tsx).
 */
export function AccessChart({ all }: { all: AccessSummaryRow[] }) {
  const sorted = [...all].sort((x, y) => y.allowed + y.blocked - (x.allowed + x.blocked));
  const rows = sorted.slice(0, MAX_ROWS);
  // The table carries the chart's numbers (plus the rest as one row): rendering hundreds of rows on every
  // Overview view is what the access log page is for.
  const rest = sorted.slice(MAX_ROWS);
  const other = rest.length ? { allowed: rest.reduce((n, r) => n + r.allowed, 0), blocked: rest.reduce((n, r) => n + r.blocked, 0) } : null;
  return (
    <section aria-labelledby="access-chart-heading" className="mb-8">
      <Heading />
      {rows.length ? (
        <figure className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900">
          <Bars rows={rows} />
          <figcaption className="mt-2 flex gap-4 text-xs text-slate-600 dark:text-slate-400">
            <span className="flex items-center gap-1">
              <span aria-hidden="true" className="inline-block size-3 rounded-sm bg-emerald-500" /> Allowed
            </span>
            <span className="flex items-center gap-1">
              <span aria-hidden="true" className="inline-block size-3 rounded-sm bg-red-500" /> Blocked
            </span>
            {all.length > rows.length ? <span>Top {rows.length} of {all.length} applications</span> : null}
          </figcaption>
          <details className="mt-3 text-sm">
            <summary className="cursor-pointer">Show the data as a table</summary>
            <div className="mt-2">
              <Table caption="Gateway decisions per application, last 24 hours">
                <thead>
                  <tr>
                    <Th>Application</Th>
                    <Th>Allowed</Th>
                    <Th>Blocked</Th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.application}>
                      <Td>{r.application}</Td>
                      <Td className="tabular-nums">{r.allowed}</Td>
                      <Td className="tabular-nums">{r.blocked}</Td>
                    </tr>
                  ))}
                  {other ? (
                    <tr>
                      <Td>
                        {rest.length} other application{rest.length === 1 ? "" : "s"} (<Link href="/access-log" className="text-brand-600 underline underline-offset-2 hover:decoration-2 dark:text-brand-100">access log</Link>)
                      </Td>
                      <Td className="tabular-nums">{other.allowed}</Td>
                      <Td className="tabular-nums">{other.blocked}</Td>
                    </tr>
                  ) : null}
                </tbody>
              </Table>
            </div>
          </details>
        </figure>
      ) : (
        <EmptyState title="No gateway decisions in the last 24 hours">
          When the enforcement gateway runs (GATEWAY_PORT), allowed and blocked requests per application appear here.
        </EmptyState>
      )}
    </section>
  );
}
