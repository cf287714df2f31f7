/**
 * CLI: `portcullis verify` (the prebuilt launcher, bin/portcullis.mjs) on the seed-shaped chain against
 * `openssl verify -purpose sslclient` on the same files — one process per call, as a shell user runs them, wall time
 * from spawn to exit, median of BENCH_CLI_RUNS (default 20). The calls alternate between the commands so both see the
 * same load. Also: the CPU time per call (user + system of the children, robust to a busy machine), the floor of a
 * Node process that does nothing, the same call with NODE_EXTRA_CA_CERTS unset when the environment sets it, and the
 * same command run from source through tsx (how the CLI ran before it was prebuilt).
 */
import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { generateBenchPki } from "./lib/pki";
import type { Row } from "./lib/report";
import { childCpuSeconds, median } from "./lib/timing";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 20);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const BIN = path.join(ROOT, "bin", "portcullis.mjs");

interface Subject {
  cmd: string;
  args: string[];
  /** stdout of a successful call */
  expect: RegExp;
  env?: NodeJS.ProcessEnv;
}

interface Timing {
  wallMs: number[];
  cpuMs: number;
}

function call(s: Subject): { ms: number; cpu: number } {
  const cpu0 = childCpuSeconds();
  const t0 = performance.now();
  const r = spawnSync(s.cmd, s.args, { encoding: "utf8", cwd: ROOT, env: s.env ?? process.env });
  const ms = performance.now() - t0;
  if (r.status !== 0 || !s.expect.test(r.stdout)) throw new Error(`${path.basename(s.cmd)} ${s.args.join(" ")} failed (${r.status}): ${r.stdout}${r.stderr}`);
  return { ms, cpu: (childCpuSeconds() - cpu0) * 1000 };
}

/** Runs every subject RUNS times, rotating the order each round; one untimed warm-up call each first. */
function measure(subjects: Record<string, Subject>): Record<string, Timing> {
  const names = Object.keys(subjects);
  for (const n of names) call(subjects[n]);
  const out = Object.fromEntries(names.map((n) => [n, { wallMs: [] as number[], cpuMs: 0 }]));
  for (let i = 0; i < RUNS; i++) {
    for (let j = 0; j < names.length; j++) {
      const n = names[(i + j) % names.length];
      const r = call(subjects[n]);
      out[n].wallMs.push(r.ms);
      out[n].cpuMs += r.cpu / RUNS;
    }
  }
  return out;
}

export async function runCli(): Promise<Row[]> {
  // The build itself is not timed: what users run after `npm install` (prepare) is the prebuilt file.
  const build = spawnSync(process.execPath, [path.join(ROOT, "cli", "build.mjs"), "--if-stale"], { encoding: "utf8" });
  if (build.status !== 0) throw new Error(`cli/build.mjs failed: ${build.stdout}${build.stderr}`);
  const pki = generateBenchPki(1);
  const leaf = pki.leaves[0].file;
  const ok = new RegExp(`^${leaf.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: OK$`, "m");
  // The launcher before the CLI was prebuilt: `node --import tsx cli/main.ts`.
  const tsx = pathToFileURL(createRequire(path.join(ROOT, "package.json")).resolve("tsx")).href;
  const subjects: Record<string, Subject> = {
    ours: { cmd: process.execPath, args: [BIN, "verify", "--ca", pki.chainFile, leaf], expect: ok },
    openssl: { cmd: "openssl", args: ["verify", "-purpose", "sslclient", "-CAfile", pki.chainFile, leaf], expect: ok },
    node: { cmd: process.execPath, args: ["-e", "0"], expect: /^$/ },
  };
  // Node (not openssl) reads and parses NODE_EXTRA_CA_CERTS at every start, before any of our code runs; when the
  // environment sets it, the same call without it shows what that costs.
  const extraCa = process.env.NODE_EXTRA_CA_CERTS;
  if (extraCa) subjects.oursWithoutExtraCa = { ...subjects.ours, env: { ...process.env, NODE_EXTRA_CA_CERTS: "" } };
  const t = measure(subjects);
  // From source through tsx (the launcher before the CLI was prebuilt): slow, so fewer calls.
  const sourceRuns = Math.max(3, Math.round(RUNS / 4));
  const source: number[] = [];
  const sourceSubject = { cmd: process.execPath, args: ["--import", tsx, path.join(ROOT, "cli", "main.ts"), "verify", "--ca", pki.chainFile, leaf], expect: ok };
  for (let i = 0; i < sourceRuns; i++) source.push(call(sourceSubject).ms);

  const ours = median(t.ours.wallMs);
  const openssl = median(t.openssl.wallMs);
  const base = { benchmark: "CLI", better: "lower" as const, unit: "ms" };
  const opensslName = "openssl verify -purpose sslclient, same files";
  return [
    {
      ...base, metric: `portcullis verify, seed chain: wall time per call (median of ${RUNS})`, ours, baselineName: opensslName, baseline: openssl,
      target: "≤ 3× openssl verify", met: ours <= 3 * openssl,
      note: `bin/portcullis.mjs → prebuilt cli/dist (RSA-4096 root + intermediate, RSA-2048 leaf); ${(ours / openssl).toFixed(1)}× openssl; calls alternate with openssl's${extraCa ? `; NODE_EXTRA_CA_CERTS=${extraCa} is set, which Node loads at start-up (next rows)` : ""}`,
    },
    ...(extraCa
      ? [{
          ...base, metric: `  same, NODE_EXTRA_CA_CERTS unset (wall, median of ${RUNS})`, ours: median(t.oursWithoutExtraCa.wallMs), baselineName: opensslName, baseline: openssl,
          target: "", met: null, note: `CPU ${t.oursWithoutExtraCa.cpuMs.toFixed(0)} ms per call (${t.ours.cpuMs.toFixed(0)} ms with it)`,
        }]
      : []),
    {
      ...base, metric: `portcullis verify: CPU time per call (user + system, mean of ${RUNS})`, ours: t.ours.cpuMs, baselineName: opensslName, baseline: t.openssl.cpuMs,
      target: "", met: null, note: "from /proc (100 Hz ticks summed over the calls)",
    },
    {
      ...base, metric: `  floor: node -e 0 (Node start-up alone), wall median of ${RUNS}`, ours: median(t.node.wallMs), baselineName: opensslName, baseline: openssl,
      target: "", met: null, note: `CPU ${t.node.cpuMs.toFixed(0)} ms per call; what any Node CLI pays before its first line of code`,
    },
    {
      ...base, metric: `portcullis verify, prebuilt vs from source (wall, median)`, ours, baselineName: `tsx cli/main.ts verify (the CLI before it was prebuilt), median of ${sourceRuns}`, baseline: median(source),
      target: "", met: null,
    },
  ];
}
