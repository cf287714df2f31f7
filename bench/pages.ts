/**
 * Pages at scale: seeds 50 certificates, 1,000 policies, 500 applications, 1M audit events and access-log rows
 * (bench/seed-scale.ts; 1M on PGlite, BENCH_PG_ACCESS = 10M on PostgreSQL), starts the bench build on it, signs in
 * through the login form API and samples TTFB p50/p95 of every list page, the Overview, the access log filtered and
 * paged deep, and the two polled endpoints behind them (the Overview chart is streamed after the first byte, so its
 * query only shows in its endpoint's TTFB). Baseline: /login, a bare page, in the same run.
 * PostgreSQL: BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test) is the admin connection; the seeded
 * database `bench_scale` is created there and always dropped. After the pages, bench/retention-scale.ts measures
 * the retention job deleting BENCH_RETENTION_DELETE rows of it while gateway-shaped inserts continue.
 * BENCH_PAGES_ENGINES=postgres (or pglite) runs one engine only.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { ensureBuild, ROOT, startApp } from "./lib/app";
import { ownCpuMs } from "./lib/proc";
import { samplePage, signIn, type PageStats } from "./lib/http";
import type { Row } from "./lib/report";

const RUNS = Number(process.env.BENCH_PAGE_RUNS ?? 30);
const PG_URL = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const PG_DATABASE = "bench_scale";
const ACCESS = { PGlite: Number(process.env.BENCH_ACCESS ?? 1_000_000), PostgreSQL: Number(process.env.BENCH_PG_ACCESS ?? 10_000_000) };
const ENGINES = (process.env.BENCH_PAGES_ENGINES ?? "pglite,postgres").toLowerCase();
const TARGET_MS = 100;
export const LIST_PAGES = [
  "/",
  "/access-controls/service-credentials/mutual-tls",
  "/access-controls/policies",
  "/access-controls/applications",
  "/audit-log",
  "/access-log",
  "/alerts",
  "/settings",
  "/nginx-export",
];
export const BARE = "/login";

/** Seconds between two seeded access-log rows (bench/seed-scale.ts). */
const ROW_SPACING_S = 0.5;

/**
 * The access log as people page through it at scale: each filter, a page from the middle of the log (a keyset cursor
 * half-way back), filters and that cursor together, and the endpoints the Overview chart and the live list poll.
 */
export function accessLogViews(rows: number, seededAt: number): string[] {
  const middle = new Date(seededAt - (rows * ROW_SPACING_S * 1000) / 2);
  const before = encodeURIComponent(`${middle.toISOString()}_${Number.MAX_SAFE_INTEGER}`);
  const day = middle.toISOString().slice(0, 10);
  return [
    "/access-log?hostname=app-7.bench.test",
    "/access-log?decision=deny",
    `/access-log?date=${day}`,
    `/access-log?before=${before}`,
    `/access-log?hostname=app-7.bench.test&decision=deny&before=${before}`,
    `/api/console/access-log?decision=deny&before=${before}`,
    "/api/console/overview/access-summary",
    "/api/console/overview",
  ];
}

interface Seeded {
  counts: Record<string, number>;
  seconds: number;
  /** ms since the epoch when the access-log rows were dated (the newest is this old) */
  at: number;
}

function seed(env: Record<string, string>): Seeded {
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["bench/seed-scale.ts"], { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`seeding failed: ${r.stderr.slice(-3000)}`);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

/** A fresh `bench_scale` database (one a crashed run left behind is dropped first); `drop` always removes it. */
async function pgDatabase(): Promise<{ url: string; drop: () => Promise<void> } | null> {
  const admin = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await admin.connect();
  } catch {
    return null;
  }
  await admin.query(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${PG_DATABASE}`);
  const u = new URL(PG_URL);
  u.pathname = `/${PG_DATABASE}`;
  return {
    url: u.toString(),
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`);
      await admin.end();
    },
  };
}

interface EngineResult {
  engine: string;
  pages: Map<string, PageStats & { cpuMs: number }>;
  bare: PageStats;
  seeded: Seeded;
  /** 1-minute load average when sampling started and ended (the machine is shared) */
  load: [number, number];
}

async function measure(engine: keyof typeof ACCESS, env: Record<string, string>, dataDir: string): Promise<EngineResult> {
  const seeded = seed({ ...env, BENCH_ACCESS: String(ACCESS[engine]) });
  const app = await startApp({ dataDir, databaseUrl: env.DATABASE_URL, env });
  try {
    const cookie = await signIn(app.url);
    const pages: EngineResult["pages"] = new Map();
    const load0 = os.loadavg()[0];
    const bare = await samplePage(`${app.url}${BARE}`, undefined, RUNS);
    for (const p of [...LIST_PAGES, ...accessLogViews(ACCESS[engine], seeded.at)]) {
      const c0 = ownCpuMs(app.child.pid);
      const s = await samplePage(`${app.url}${p}`, cookie, RUNS);
      // per request, warm-ups included (samplePage makes RUNS + 2 requests)
      pages.set(p, { ...s, cpuMs: (ownCpuMs(app.child.pid) - c0) / (RUNS + 2) });
    }
    return { engine, pages, bare, seeded, load: [load0, os.loadavg()[0]] };
  } finally {
    await app.stop();
  }
}

function rows(r: EngineResult): Row[] {
  const seededNote = `seeded ${Object.entries(r.seeded.counts).map(([k, v]) => `${k}=${v.toLocaleString("en-US")}`).join(", ")} in ${r.seeded.seconds} s`;
  return [...r.pages].map(([p, s], i) => ({
    benchmark: `pages at scale (${r.engine})`,
    metric: `GET ${p} TTFB p95 (p50 ${Math.round(s.p50)} ms)`,
    ours: s.p95, unit: "ms", better: "lower" as const,
    baselineName: `bare page ${BARE} p95 (p50 ${Math.round(r.bare.p50)} ms)`, baseline: r.bare.p95,
    target: `≤ ${TARGET_MS} ms p95`, met: s.p95 <= TARGET_MS,
    note:
      `full response p95 ${Math.round(s.totalP95)} ms; server CPU ${s.cpuMs.toFixed(0)} ms/request` +
      (i === 0
        ? `; ${s.n} sequential requests per page after 2 warm-ups, signed in as admin; load average ${r.load[0].toFixed(1)} → ${r.load[1].toFixed(1)} on ${os.cpus().length} cores; ${seededNote}`
        : ""),
  }));
}

interface RetentionResult {
  rows: number;
  deleted: number;
  seconds: number;
  /** the old single-statement edge search (null: it hit the statement timeout) */
  edgeSeconds: number | null;
  insertRate: number;
  inserted: number;
  flushP99Idle: number;
  flushP99During: number;
  flushMaxDuring: number;
  batches: number;
  load: [number, number];
}

/** bench/retention-scale.ts on the seeded database (the app stopped): prune while gateway-shaped inserts continue. */
function retention(env: Record<string, string>, rowsBefore: number): Row[] {
  const r = spawnSync(path.join(ROOT, "node_modules/.bin/tsx"), ["bench/retention-scale.ts"], { cwd: ROOT, env: { ...process.env, ...env, BENCH_RETENTION_ROWS: String(rowsBefore) }, encoding: "utf8", maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`retention bench failed: ${r.stderr.slice(-3000)}`);
  const x = JSON.parse(r.stdout.trim().split("\n").pop()!) as RetentionResult;
  const rate = x.deleted / x.seconds;
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  return [
    {
      benchmark: "retention at scale (PostgreSQL)",
      metric: `access-log rows deleted/s (${fmt(x.deleted)} of ${fmt(rowsBefore)} beyond the row limit)`,
      ours: Math.round(rate), unit: "rows/s", better: "higher",
      baselineName: "gateway-shaped inserts/s meanwhile", baseline: Math.round(x.inserted / x.seconds),
      target: "≥ the insert rate", met: rate >= x.inserted / x.seconds,
      note:
        `pruneLogs (batches of 5,000, one statement each) with ${fmt(x.insertRate)} rows/s queued through recordAccess meanwhile; ${x.batches} insert batches; ` +
        `the edge as found before (one offset over ${fmt(rowsBefore - x.deleted)} index entries) took ${x.edgeSeconds === null ? "over the 15 s statement timeout" : `${x.edgeSeconds.toFixed(1)} s`}; load average ${x.load[0].toFixed(1)} → ${x.load[1].toFixed(1)}`,
    },
    {
      benchmark: "retention at scale (PostgreSQL)",
      metric: `gateway insert batch p99 while pruning (max ${Math.round(x.flushMaxDuring)} ms)`,
      ours: x.flushP99During, unit: "ms", better: "lower",
      baselineName: "insert batch p99 before pruning", baseline: x.flushP99Idle,
      target: "no long lock", met: null,
    },
  ];
}

/** Ctrl-C or a kill must not leave the 10M-row database behind: drop it synchronously on the way out. */
function dropOnSignal(): () => void {
  const handler = (sig: NodeJS.Signals) => {
    spawnSync("psql", [PG_URL, "-c", `DROP DATABASE IF EXISTS ${PG_DATABASE} WITH (FORCE)`], { stdio: "ignore" });
    process.exit(sig === "SIGINT" ? 130 : 143);
  };
  process.once("SIGINT", handler);
  process.once("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}

export async function runPages(): Promise<Row[]> {
  ensureBuild();
  const out: Row[] = [];
  if (ENGINES.includes("pglite")) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-pages-"));
    try {
      out.push(...rows(await measure("PGlite", { PORTCULLIS_DATA_DIR: dataDir }, dataDir)));
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  if (!ENGINES.includes("postgres")) return out;
  const undo = dropOnSignal();
  const db = await pgDatabase();
  if (!db) {
    undo();
    out.push({ benchmark: "pages at scale (PostgreSQL)", metric: "TTFB", ours: null, unit: "ms", better: "lower", baselineName: "", baseline: null, target: `≤ ${TARGET_MS} ms p95`, met: null, note: `not measured: no PostgreSQL at ${PG_URL}` });
    return out;
  }
  const pgDir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-pages-pg-"));
  try {
    // With PostgreSQL the app refuses to start without a key for secrets at rest (any key: the database is new).
    const env = { DATABASE_URL: db.url, PORTCULLIS_DATA_DIR: pgDir, PORTCULLIS_SECRET_KEY: randomBytes(32).toString("base64") };
    const r = await measure("PostgreSQL", env, pgDir);
    out.push(...rows(r));
    out.push(...retention(env, r.seeded.counts.access_log));
  } finally {
    await db.drop();
    rmSync(pgDir, { recursive: true, force: true });
    undo();
  }
  return out;
}
