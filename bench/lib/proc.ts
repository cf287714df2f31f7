/** Process CPU time and memory from Linux /proc, for the benchmarks' same-run comparisons (0 / nothing elsewhere). */
import { readdirSync, readFileSync } from "node:fs";
import { sleep } from "./timing";

/** One clock tick (USER_HZ = 100): the resolution of /proc's CPU times. */
export const TICK_MS = 1000 / 100;

/** A process's parent and utime+stime (ms), or null once it has exited. */
function procStat(pid: number | string | undefined): { ppid: number; cpuMs: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // After the command name (which may hold spaces and parentheses): state, ppid, … utime (12th), stime (13th).
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { ppid: Number(f[1]), cpuMs: (Number(f[11]) + Number(f[12])) * TICK_MS };
  } catch {
    return null;
  }
}

/** Every running process's parent and CPU time. */
function allProcesses(): Map<number, { ppid: number; cpuMs: number }> {
  const out = new Map<number, { ppid: number; cpuMs: number }>();
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    const s = procStat(d);
    if (s) out.set(Number(d), s);
  }
  return out;
}

/** utime+stime (ms) of one process (0 once it has exited). */
export const ownCpuMs = (pid: number | undefined): number => procStat(pid)?.cpuMs ?? 0;

/** utime+stime (ms) of `root` and all its descendants. */
export function treeCpuMs(root: number): number {
  const procs = allProcesses();
  let total = 0;
  for (const [pid, { cpuMs }] of procs) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = procs.get(p)?.ppid) {
      if (p === root) {
        total += cpuMs;
        break;
      }
    }
  }
  return total;
}

/** Resident memory (bytes) of a process and all its descendants. */
export function treeRss(pid: number): number {
  const children = new Map<number, number[]>();
  for (const [p, { ppid }] of allProcesses()) children.set(ppid, [...(children.get(ppid) ?? []), p]);
  let total = 0;
  const walk = (p: number) => {
    try {
      const m = readFileSync(`/proc/${p}/status`, "utf8").match(/VmRSS:\s+(\d+) kB/);
      if (m) total += Number(m[1]) * 1024;
    } catch {
      /* gone */
    }
    for (const c of children.get(p) ?? []) walk(c);
  };
  walk(pid);
  return total;
}

/**
 * Wait until the process trees are idle: at most one clock tick of CPU (5% of a core) in each of `windows`
 * consecutive 200 ms windows, or `maxMs`.
 */
export async function settle(roots: number[], windows = 2, maxMs = 20_000): Promise<void> {
  const t0 = Date.now();
  const cpu = () => roots.reduce((a, r) => a + treeCpuMs(r), 0);
  let quiet = 0;
  let last = cpu();
  while (quiet < windows && Date.now() - t0 < maxMs) {
    await sleep(200);
    const now = cpu();
    quiet = now - last <= TICK_MS ? quiet + 1 : 0;
    last = now;
  }
}
