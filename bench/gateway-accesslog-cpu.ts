/**
 * Per-row CPU of the gateway's access-log inserts on PGlite, through the real path (recordAccess queues, 2,000-row
 * batches flushed by flushAccessLog): BATCHES batches of 2,000 rows, process.cpuUsage() around each flush, median
 * per-row cost over REPEATS repeats. Variants in the same process, interleaved: as migrated (access_log_hourly
 * triggers on), with the triggers disabled, and with the triggers disabled and access_log's secondary indexes
 * dropped (the last variant last, it cannot be undone) — to see where the per-row cost goes.
 *
 *   node --import tsx bench/gateway-accesslog-cpu.ts     (BENCH_AL_BATCHES=20, BENCH_AL_REPEATS=3)
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";

const BATCHES = Number(process.env.BENCH_AL_BATCHES ?? 20);
const REPEATS = Number(process.env.BENCH_AL_REPEATS ?? 3);
const ROWS = 2000;

async function main() {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-al-cpu-"));
  process.env.PORTCULLIS_DATA_DIR = dir;
  process.env.DATABASE_URL = "";
  const { getDb, closeDb } = await import("../lib/db/client");
  const { recordAccess, flushAccessLog } = await import("../lib/domain/access-log");
  const db = await getDb();
  const apps = ["Auth portal", "Wiki", "Grafana", null];
  let n = 0;
  async function run(): Promise<number> {
    let cpu = 0;
    for (let b = 0; b < BATCHES; b++) {
      for (let i = 0; i < ROWS; i++, n++) {
        recordAccess({
          at: new Date(Date.now() - (n % 7200) * 1000), hostname: "auth.example.com", applicationId: "6f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", applicationName: apps[n % 4],
          clientCn: "John Doe", serialNumber: "1A2B3C", decision: n % 5 ? "allow" : "deny", policyId: "7f1c2a4e-1d2b-4c3d-9e8f-0a1b2c3d4e5f", policyName: "John Doe devices",
          reason: "Allowed by policy", ip: "127.0.0.1",
        });
      }
      const t0 = process.cpuUsage();
      await flushAccessLog();
      const d = process.cpuUsage(t0);
      cpu += (d.user + d.system) / 1000;
    }
    return (cpu / (BATCHES * ROWS)) * 1000; // µs per row
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
  await run(); // warm-up (JIT, PGlite caches)
  const on: number[] = [];
  const off: number[] = [];
  for (let r = 0; r < REPEATS; r++) {
    on.push(await run());
    await db.execute(sql`alter table access_log disable trigger user`);
    off.push(await run());
    await db.execute(sql`alter table access_log enable trigger user`);
  }
  await db.execute(sql`alter table access_log disable trigger user`);
  const idx = (await db.execute(sql`select indexname from pg_indexes where tablename = 'access_log' and indexname <> 'access_log_pkey'`)) as unknown as { rows: { indexname: string }[] };
  for (const { indexname } of idx.rows) await db.execute(sql.raw(`drop index "${indexname}"`));
  const bare: number[] = [];
  for (let r = 0; r < REPEATS; r++) bare.push(await run());
  const f = (xs: number[]) => `${median(xs).toFixed(1)} µs/row (runs ${xs.map((x) => x.toFixed(1)).join(", ")})`;
  console.log(`access-log insert CPU, ${BATCHES} × ${ROWS} rows per run, load ${os.loadavg().map((x) => x.toFixed(2)).join(" ")}`);
  console.log(`  as migrated (hourly triggers on): ${f(on)}`);
  console.log(`  triggers disabled:                ${f(off)}`);
  console.log(`  no triggers, no secondary indexes (${idx.rows.map((r) => r.indexname).join(", ")} dropped): ${f(bare)}`);
  await closeDb();
  rmSync(dir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
