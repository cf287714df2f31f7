/**
 * Start-up: `next start` (the already-built app, NEXT_DIST_DIR=.next-bench) to /api/health OK, on a fresh data dir
 * (first start: migrations and the admin seed) and again on the same data dir, plus resident memory at idle.
 * Baseline: a bare Node http server, spawn to first response, and its idle memory.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { ensureBuild, freePort, startApp, waitFor } from "./lib/app";
import { treeRss } from "./lib/proc";
import type { Row } from "./lib/report";
import { median, sleep } from "./lib/timing";

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 3);
const IDLE_MS = 5000;

async function bareNode(): Promise<{ ms: number; rss: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ["-e", `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`], { stdio: "ignore" });
  try {
    const ms = await waitFor(`http://127.0.0.1:${port}/`, t0, (s, b) => s === 200 && b === "ok", 60_000, child);
    await sleep(IDLE_MS);
    return { ms, rss: treeRss(child.pid!) };
  } finally {
    child.kill("SIGKILL");
  }
}

export async function runStartup(): Promise<Row[]> {
  const build = ensureBuild();
  const cold: number[] = [];
  const warm: number[] = [];
  const rss: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-start-"));
    try {
      const first = await startApp({ dataDir });
      cold.push(first.readyMs);
      await first.stop();
      const again = await startApp({ dataDir });
      warm.push(again.readyMs);
      await sleep(IDLE_MS);
      rss.push(treeRss(again.child.pid!));
      await again.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const bare: { ms: number; rss: number }[] = [];
  for (let i = 0; i < RUNS; i++) bare.push(await bareNode());
  const bareMs = median(bare.map((b) => b.ms));
  const bareRss = median(bare.map((b) => b.rss)) / 2 ** 20;
  const built = `build ${build.commit}${build.dirtyFiles > 0 ? ` + ${build.dirtyFiles} uncommitted files` : ""}`;
  const base = { benchmark: "start-up", better: "lower" as const, target: "", met: null };
  return [
    { ...base, metric: "next start → /api/health OK, fresh data dir (PGlite)", ours: median(cold), unit: "ms", baselineName: "bare node http: spawn → first response", baseline: bareMs,
      note: `median of ${RUNS}; includes migrations and the admin seed; ${built}` },
    { ...base, metric: "next start → /api/health OK, existing data dir", ours: median(warm), unit: "ms", baselineName: "bare node http: spawn → first response", baseline: bareMs, note: `median of ${RUNS}` },
    { ...base, metric: `RSS at idle (${IDLE_MS / 1000} s after ready, process tree)`, ours: median(rss) / 2 ** 20, unit: "MiB", baselineName: "bare node http server RSS", baseline: bareRss },
  ];
}
