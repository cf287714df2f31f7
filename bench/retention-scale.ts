/**
 * Retention at scale (run by bench/pages.ts as a child process with DATABASE_URL set to the seeded database, the app
 * stopped): the access log's row limit is lowered so that BENCH_RETENTION_DELETE rows (default 2,000,000) are beyond
 * it, and lib/domain/retention's pruneLogs deletes them while gateway-shaped inserts continue through the access
 * log's own writer (recordAccess + flushAccessLog) at BENCH_RETENTION_INSERT_RATE rows/s (default 2,000). The insert
 * batches' latency before and during the prune shows whether pruning holds locks the gateway waits on.
 * BENCH_RETENTION_ROWS: the access log's row count (bench/pages.ts passes the seed's). Prints one JSON line.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "../lib/db/client";
import { flushAccessLog, recordAccess } from "../lib/domain/access-log";
import { DEFAULT_BATCH_SIZE, pruneLogs } from "../lib/domain/retention";
import { percentile } from "./lib/timing";

const DELETE = Number(process.env.BENCH_RETENTION_DELETE ?? 2_000_000);
const RATE = Number(process.env.BENCH_RETENTION_INSERT_RATE ?? 2_000);
const TICK_MS = 250;
const IDLE_MS = 5_000;

async function main() {
  const db = await getDb();
  const one = async <T>(q: string) => ((await db.execute(sql.raw(q))) as unknown as { rows: T[] }).rows[0];
  // The seed's count (counting 10M rows again could outlast the pool's statement timeout on a busy machine).
  const rows = Number(process.env.BENCH_RETENTION_ROWS);
  const keep = Math.max(1_000, rows - DELETE);

  // The gateway's side: a tick's worth of decisions queued, then flushed (timed); sequential, like the writer.
  let inserted = 0;
  let during = false;
  let stop = false;
  const idle: number[] = [];
  const busy: number[] = [];
  const writer = (async () => {
    const perTick = Math.max(1, Math.round((RATE * TICK_MS) / 1000));
    while (!stop) {
      const tick = performance.now();
      for (let i = 0; i < perTick; i++) {
        recordAccess({ at: new Date(), hostname: `app-${1 + (i % 500)}.bench.test`, applicationId: null, applicationName: `bench app ${1 + (i % 500)}`, clientCn: `device-${i}`, serialNumber: "1000", decision: i % 4 ? "allow" : "deny", policyId: null, policyName: null, reason: "bench", ip: "198.51.100.1", path: "/" });
      }
      const t0 = performance.now();
      await flushAccessLog();
      (during ? busy : idle).push(performance.now() - t0);
      inserted += during ? perTick : 0;
      const wait = TICK_MS - (performance.now() - tick);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    }
  })();

  await new Promise((r) => setTimeout(r, IDLE_MS));
  const load0 = os.loadavg()[0];
  // How the row limit's edge was found before: one statement walking `keep` index entries (null: it hit the
  // pool's statement timeout). pruneLogs now walks them in bounded steps.
  const e0 = performance.now();
  const edgeSeconds = await one(`select id from access_log order by id desc offset ${keep} limit 1`).then(
    () => (performance.now() - e0) / 1000,
    () => null,
  );

  during = true;
  const t0 = performance.now();
  const report = await pruneLogs({ batchSize: DEFAULT_BATCH_SIZE, settings: { accessLog: { maxAgeDays: 3650, maxRows: keep }, auditLog: { maxAgeDays: 3650, maxRows: 100_000_000 } } });
  const seconds = (performance.now() - t0) / 1000;
  during = false;
  stop = true;
  await writer;
  const load1 = os.loadavg()[0];
  await closeDb();
  const sorted = (a: number[]) => [...a].sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      rows,
      deleted: report.accessLog.byAge + report.accessLog.byRowLimit,
      seconds,
      edgeSeconds,
      insertRate: RATE,
      inserted,
      batches: busy.length,
      flushP99Idle: percentile(sorted(idle), 99),
      flushP99During: percentile(sorted(busy), 99),
      flushMaxDuring: Math.max(0, ...busy),
      load: [load0, load1],
    }),
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
