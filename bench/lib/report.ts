/** Result rows, the printed table and bench/results/latest.json. */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export interface Row {
  benchmark: string;
  metric: string;
  /** our measurement (null: not measured; see note) */
  ours: number | null;
  unit: string;
  baselineName: string;
  baseline: number | null;
  /** "higher" when more is better (throughput), "lower" for times and sizes */
  better: "higher" | "lower";
  /** human-readable target, e.g. "≥ 50,000/s" */
  target: string;
  /** whether the target is met (null: no target or not measured) */
  met: boolean | null;
  note?: string;
  /** the benchmark (run.ts name) that produced the row, and when */
  suite?: string;
  measuredAt?: string;
}

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  node: string;
  openssl: string;
  platform: string;
  date: string;
  loadAverageStart: number[];
  loadAverageEnd?: number[];
}

export function machineFacts(): Machine {
  let openssl = "unknown";
  try {
    openssl = execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
  } catch {
    /* openssl missing: reported as unknown */
  }
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    openssl,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    loadAverageStart: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

/** Ratio ours/baseline oriented so that > 1 means "ours is better". */
export function ratio(r: Row): number | null {
  if (r.ours === null || r.baseline === null || r.ours === 0 || r.baseline === 0) return null;
  return r.better === "higher" ? r.ours / r.baseline : r.baseline / r.ours;
}

export function fmt(n: number | null, unit = ""): string {
  if (n === null || !Number.isFinite(n)) return "—";
  const abs = Math.abs(n);
  const s = abs >= 1000 ? Math.round(n).toLocaleString("en-US") : abs >= 100 ? n.toFixed(0) : abs >= 10 ? n.toFixed(1) : n.toFixed(2);
  return unit ? `${s} ${unit}` : s;
}

function cells(r: Row): string[] {
  const q = ratio(r);
  return [
    r.benchmark,
    r.metric,
    fmt(r.ours, r.unit),
    r.baselineName,
    fmt(r.baseline, r.unit),
    q === null ? "—" : `${q.toFixed(2)}×`,
    r.target || "—",
    r.met === null ? (r.ours === null ? "not measured" : "—") : r.met ? "yes" : "NO",
  ];
}

const HEAD = ["benchmark", "metric", "ours", "baseline", "baseline value", "ratio (>1 = ours better)", "target", "met?"];

/** Plain-text table for the terminal. */
export function textTable(rows: Row[]): string {
  const body = rows.map(cells);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...body.map((c) => c[i].length)));
  const line = (c: string[]) => c.map((x, i) => x.padEnd(widths[i])).join(" | ");
  const notes = rows.filter((r) => r.note).map((r) => `  * ${r.benchmark} / ${r.metric}: ${r.note}`);
  return [line(HEAD), widths.map((w) => "-".repeat(w)).join("-|-"), ...body.map(line), ...(notes.length ? ["", "Notes:", ...notes] : [])].join("\n");
}

/** Markdown table (for the README's Performance section). */
export function markdownTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, "\\|");
  const out = [`| ${HEAD.join(" | ")} |`, `|${HEAD.map(() => " --- ").join("|")}|`];
  for (const r of rows) out.push(`| ${cells(r).map(esc).join(" | ")} |`);
  return out.join("\n");
}

export function writeResults(file: string, machine: Machine, rows: Row[], selected: string[], errors: { benchmark: string; error: string }[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const data = { machine, selected, rows: rows.map((r) => ({ ...r, ratio: ratio(r) })), errors };
  writeFileSync(file, JSON.stringify(data, null, 2) + "\n");
}

/** Rows of an earlier results file (empty when absent or unreadable). */
export function previousRows(file: string): Row[] {
  if (!existsSync(file)) return [];
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as { rows?: Row[] };
    return (data.rows ?? []).map((r: Row & { ratio?: unknown }) => {
      const copy = { ...r };
      delete copy.ratio;
      return copy;
    });
  } catch {
    return [];
  }
}
