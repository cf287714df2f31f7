/** Small timing helpers shared by the benchmarks. */
import { performance } from "node:perf_hooks";

import { readFileSync } from "node:fs";

export interface Rate {
  /** operations per wall-clock second */
  wall: number;
  /** operations per CPU-second of this process (user + system): the one-core rate, robust to a busy machine */
  cpu: number;
}

/** CPU seconds used so far by this process (all its threads). */
export const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** CPU seconds used by this process's waited-for children (Linux /proc; clock ticks at 100 Hz). */
export function childCpuSeconds(): number {
  const stat = readFileSync("/proc/self/stat", "utf8");
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(f[13]) + Number(f[14])) / 100; // cutime, cstime (fields 16 and 17)
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a warm-up) and returns operations per second. */
export async function opsPerSecond(fn: () => unknown | Promise<unknown>, ms = 2000, warmupMs = 300): Promise<Rate> {
  const until = (deadline: number) => performance.now() < deadline;
  let t = performance.now() + warmupMs;
  while (until(t)) for (let i = 0; i < 100; i++) await fn();
  let n = 0;
  const start = performance.now();
  const cpu0 = cpuSeconds();
  t = start + ms;
  while (until(t)) {
    for (let i = 0; i < 100; i++) await fn();
    n += 100;
  }
  return { wall: (n * 1000) / (performance.now() - start), cpu: n / (cpuSeconds() - cpu0) };
}

/** Best of `runs` repetitions of an async measurement returning a rate (higher is better). */
export async function bestRate(runs: number, measure: () => Promise<Rate>): Promise<Rate> {
  const best: Rate = { wall: 0, cpu: 0 };
  for (let i = 0; i < runs; i++) {
    const r = await measure();
    best.wall = Math.max(best.wall, r.wall);
    best.cpu = Math.max(best.cpu, r.cpu);
  }
  return best;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export function median(xs: number[]): number {
  return percentile([...xs].sort((a, b) => a - b), 50);
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
