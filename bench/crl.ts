/**
 * Test mTLS with a 60,000-entry CRL stored (issue #12, finding 10): the whole domain path a viewer or Read token
 * triggers (`testClientCertificate`: database reads, trust store, validation, policies) on a fresh PGlite database
 * in this process. Ours: the first call after the CRL was stored (it parses the CRL) and the median of the calls
 * after it (the parse is shared). Baseline: the same call with the CRL cache switched off, i.e. one parse per call
 * as before the fix. Knobs: BENCH_CRL_ENTRIES (default 60000), BENCH_CRL_CALLS (default 20).
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { generateLargeCrl } from "../test/pki/large-crl";
import { generateBenchPki } from "./lib/pki";
import type { Row } from "./lib/report";
import { median } from "./lib/timing";

const ENTRIES = Number(process.env.BENCH_CRL_ENTRIES ?? 60_000);
const CALLS = Number(process.env.BENCH_CRL_CALLS ?? 20);
const HOST = "crl-bench.example.com";

export async function runCrl(): Promise<Row[]> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-crl-"));
  const saved = { dir: process.env.PORTCULLIS_DATA_DIR, url: process.env.DATABASE_URL };
  process.env.PORTCULLIS_DATA_DIR = dataDir;
  delete process.env.DATABASE_URL;
  // Imported after the environment points at the fresh database.
  const { closeDb } = await import("../lib/db/client");
  const { createCertificate } = await import("../lib/domain/certificates");
  const { setCertificateCrl } = await import("../lib/domain/crls");
  const { createPolicy } = await import("../lib/domain/policies");
  const { createApplication } = await import("../lib/domain/applications");
  const { testClientCertificate } = await import("../lib/domain/test-mtls");
  const { clearCrlCache, configureCrlCache, crlCacheStats, DEFAULT_CRL_CACHE_LIMITS } = await import("../lib/pki/crl-cache");
  const admin = { type: "user", id: null, label: "bench@bench.test", role: "admin", permission: "edit" } as const;
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  try {
    const pki = generateBenchPki(1);
    const crl = generateLargeCrl({ caCert: pki.intermediateFile, caKey: path.join(pki.dir, "intermediate.key"), count: ENTRIES });
    const cert = must(await createCertificate(admin, { name: "CRL bench", certificate: pki.chainPem, associated_hostnames: [HOST] }));
    must(await setCertificateCrl(admin, cert.id, { crl }));
    const policy = must(await createPolicy(admin, { name: "bench device", decision: "non_identity", include: [{ common_name: { common_name: pki.leaves[0].cn } }] }));
    must(await createApplication(admin, { name: "CRL bench app", domain: HOST, policies: [policy.id] }));
    const input = { hostname: HOST, certificate: pki.leaves[0].pem };
    const call = async () => {
      const t0 = performance.now();
      const r = must(await testClientCertificate(input));
      if (r.decision !== "allow") throw new Error(`unexpected decision: ${r.reason}`);
      return performance.now() - t0;
    };
    const sample = async (n: number) => {
      const xs: number[] = [];
      for (let i = 0; i < n; i++) xs.push(await call());
      return median(xs);
    };

    // Baseline: every call parses (cache off), after one warm-up call.
    configureCrlCache({ maxRevoked: 0 });
    await call();
    const uncached = await sample(Math.max(5, Math.round(CALLS / 4)));
    configureCrlCache(DEFAULT_CRL_CACHE_LIMITS);
    clearCrlCache();
    const first = await call();
    const p0 = crlCacheStats().parses;
    const cached = await sample(CALLS);
    const parsesAfterFirst = crlCacheStats().parses - p0;

    const base = { benchmark: "Test mTLS, 60k-entry CRL", unit: "ms", better: "lower" as const, baselineName: "uncached: parse per call (before)" };
    const note = `${ENTRIES.toLocaleString("en-US")} revoked entries (${(crl.length / 1e6).toFixed(1)} MB PEM); in-process testClientCertificate on PGlite, median of ${CALLS} calls`;
    return [
      { ...base, metric: "first call after the CRL is stored (parses it)", ours: first, baseline: uncached, target: "", met: null, note },
      {
        ...base,
        metric: `later calls, median (CRL parses in ${CALLS} calls: ${parsesAfterFirst})`,
        ours: cached,
        baseline: uncached,
        target: "≤ 1/4 of uncached, 0 parses",
        met: cached <= uncached / 4 && parsesAfterFirst === 0,
      },
    ];
  } finally {
    await closeDb();
    rmSync(dataDir, { recursive: true, force: true });
    if (saved.dir === undefined) delete process.env.PORTCULLIS_DATA_DIR;
    else process.env.PORTCULLIS_DATA_DIR = saved.dir;
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
  }
}
