/**
 * Path validation with revocation (issue #17): 200 client certificates never validated before, against an
 * intermediate and a root that each have a 10,000-entry CRL (ten of the leaves revoked), checked like
 * `openssl verify -crl_check_all`. Ours: lib/pki in process (trust store and both CRLs parsed, then every leaf
 * validated once: no memo hit) and `portcullis verify` (the prebuilt CLI, one process for all 200). Baseline:
 * `openssl verify -crl_check_all` with the same files, one process for all 200, in the same run. Every run must agree
 * with OpenSSL on which leaves are revoked. Median of BENCH_REVOCATION_RUNS (default 3); BENCH_REVOCATION_LEAVES
 * (default 200) and BENCH_REVOCATION_ENTRIES (default 10000) change the shape.
 */
import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { clearCrlCache } from "../lib/pki/crl-cache";
import { createValidator } from "../lib/pki/validator";
import { generateLargeCrl } from "../test/pki/large-crl";
import { generateBenchPki } from "./lib/pki";
import type { Row } from "./lib/report";
import { median } from "./lib/timing";

const run = promisify(execFile);
const LEAVES = Number(process.env.BENCH_REVOCATION_LEAVES ?? 200);
const ENTRIES = Number(process.env.BENCH_REVOCATION_ENTRIES ?? 10_000);
const RUNS = Number(process.env.BENCH_REVOCATION_RUNS ?? 3);
const REVOKED = 10;
const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "bin", "portcullis.mjs");

/** CPU seconds (user + system) of this process's reaped children, from /proc/self/stat (cutime, cstime). */
function childrenCpuMs(): number {
  const fields = readFileSync("/proc/self/stat", "utf8").replace(/^.*\) /, "").split(" ");
  // after "pid (comm) ": field 3 is index 0, so cutime (16) and cstime (17) are at 13 and 14; clock ticks of 10 ms
  return (Number(fields[13]) + Number(fields[14])) * 10;
}

type Sample = { ms: number; cpu: number; revoked: number };

export async function runRevocation(): Promise<Row[]> {
  const pki = generateBenchPki(LEAVES);
  const serialOf = (i: number) => (1000 + i).toString(16).toUpperCase().padStart(4, "0");
  const intCrl = generateLargeCrl({ caCert: pki.intermediateFile, caKey: path.join(pki.dir, "intermediate.key"), count: ENTRIES - REVOKED, revoke: Array.from({ length: REVOKED }, (_, i) => serialOf(i)) });
  const rootCrl = generateLargeCrl({ caCert: pki.rootFile, caKey: path.join(pki.dir, "rootCA.key"), count: ENTRIES, firstSerial: 0x2000000 });
  const intCrlFile = path.join(pki.dir, "int-10k.crl.pem");
  const rootCrlFile = path.join(pki.dir, "root-10k.crl.pem");
  writeFileSync(intCrlFile, intCrl);
  writeFileSync(rootCrlFile, rootCrl);
  const files = pki.leaves.map((l) => l.file);

  const inProcess = async (): Promise<Sample> => {
    clearCrlCache(); // every run parses both CRLs, as each openssl run does
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    const v = createValidator({ trustAnchors: [pki.chainPem], crls: [intCrl, rootCrl] });
    let revoked = 0;
    for (const l of pki.leaves) if ((await v.validate(l.der)).errors.some((e) => e.code === "certificate_revoked")) revoked++;
    const c = process.cpuUsage(c0);
    return { ms: performance.now() - t0, cpu: (c.user + c.system) / 1000, revoked };
  };
  const cli = async (): Promise<Sample> => {
    const t0 = performance.now();
    const c0 = childrenCpuMs();
    const out = await run(process.execPath, [BIN, "verify", "--ca", pki.chainFile, "--crl", intCrlFile, "--crl", rootCrlFile, ...files], { maxBuffer: 64 << 20 }).then(
      (r) => r.stdout,
      (e) => e.stdout as string,
    );
    return { ms: performance.now() - t0, cpu: childrenCpuMs() - c0, revoked: (out.match(/error certificate_revoked at depth 0/g) ?? []).length };
  };
  const openssl = async (): Promise<Sample> => {
    const t0 = performance.now();
    const c0 = childrenCpuMs();
    const out = await run("openssl", ["verify", "-crl_check_all", "-purpose", "sslclient", "-CAfile", pki.chainFile, "-CRLfile", intCrlFile, "-CRLfile", rootCrlFile, ...files], { maxBuffer: 64 << 20 }).then(
      (r) => `${r.stdout}${r.stderr}`,
      (e) => `${e.stdout}${e.stderr}`,
    );
    return { ms: performance.now() - t0, cpu: childrenCpuMs() - c0, revoked: (out.match(/error 23 at 0 depth lookup/g) ?? []).length };
  };

  await cli(); // builds the CLI if stale, warms the file cache
  const sample = async (f: () => Promise<Sample>) => {
    const ms: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await f();
      if (r.revoked !== REVOKED) throw new Error(`expected ${REVOKED} revoked leaves, got ${r.revoked}`);
      ms.push(r.ms);
      cpu.push(r.cpu);
    }
    return { ms: median(ms), cpu: median(cpu) };
  };
  const theirs = await sample(openssl);
  const ours = await sample(inProcess);
  const viaCli = await sample(cli);
  const base = { benchmark: `${LEAVES} uncached leaves, CRLs of ${ENTRIES.toLocaleString("en-US")} entries`, unit: "ms", better: "lower" as const, baselineName: "openssl verify -crl_check_all (one process, same files)" };
  const note = `intermediate and root each with a ${ENTRIES.toLocaleString("en-US")}-entry CRL, ${REVOKED} leaves revoked (both tools agree); RSA-4096 CAs; median of ${RUNS} runs`;
  const cpuBase = { ...base, baselineName: "openssl verify -crl_check_all: CPU (user + system)" };
  return [
    { ...base, metric: "lib/pki in process: parse both CRLs, validate every leaf once (wall)", ours: ours.ms, baseline: theirs.ms, target: "", met: null, note },
    { ...cpuBase, metric: "  same, CPU time (user + system)", ours: ours.cpu, baseline: theirs.cpu, target: "≤ openssl", met: ours.cpu <= theirs.cpu, note },
    { ...base, metric: "portcullis verify (CLI, one process for all leaves, wall)", ours: viaCli.ms, baseline: theirs.ms, target: "", met: null, note },
    { ...cpuBase, metric: "  same, CPU time (user + system)", ours: viaCli.cpu, baseline: theirs.cpu, target: "", met: null, note },
  ];
}
