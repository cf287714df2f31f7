/**
 * Seeds a database at the scale of issue 8 (run by bench/pages.ts as a child process with PORTCULLIS_DATA_DIR or
 * DATABASE_URL set): 50 mTLS certificates (the first created through lib/domain, the rest cloned in SQL), 1,000
 * policies, 500 applications (2 policies each), 1,000,000 audit events and BENCH_ACCESS access-log rows (bench/pages.ts
 * asks for 10,000,000 on PostgreSQL), bulk-inserted with generate_series, one every 0.5 s back from a fixed time.
 *
 * At 10M rows, index maintenance and the hourly roll-up's statement trigger dominate: the access log's secondary
 * indexes are dropped and rebuilt from their own definitions afterwards, the trigger is disabled meanwhile and
 * access_log_hourly is rebuilt in one pass, which leaves exactly what row-by-row inserts would have. Retention is
 * set above the seeded counts so the app's start-up prune does not run during the measurement.
 * Prints one JSON line with the row counts, seconds taken and the time the rows are dated back from.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import pg from "pg";
import { closeDb, getDb } from "../lib/db/client";
import type { Actor } from "../lib/domain/core/actor";
import { createCertificate } from "../lib/domain/certificates";
import { RETENTION_KEY } from "../lib/domain/retention";
import { setSetting } from "../lib/db/settings";

const SCALE = {
  certificates: Number(process.env.BENCH_CERTS ?? 50),
  policies: Number(process.env.BENCH_POLICIES ?? 1000),
  applications: Number(process.env.BENCH_APPS ?? 500),
  auditEvents: Number(process.env.BENCH_AUDIT ?? 1_000_000),
  accessLog: Number(process.env.BENCH_ACCESS ?? 1_000_000),
};
const CHUNK = 1_000_000;
const actor: Actor = { type: "system", id: null, label: "bench", role: "admin", permission: "edit" } as Actor;

function caPem(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-seed-"));
  const run = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  run(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ca.key"]);
  run(["req", "-x509", "-new", "-key", "ca.key", "-sha256", "-days", "3650", "-subj", "/O=Bench/CN=Bench Root CA", "-addext", "basicConstraints=critical,CA:true", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-out", "ca.pem"]);
  return readFileSync(path.join(dir, "ca.pem"), "utf8");
}

async function main() {
  const t0 = Date.now();
  const db = await getDb();
  // The app's pool cancels statements after 15 s; a million-row insert or an index build on 10M rows needs longer.
  const bulk = process.env.DATABASE_URL ? new pg.Client({ connectionString: process.env.DATABASE_URL }) : null;
  await bulk?.connect();
  // Sorting 10M rows for an index or the roll-up in the default 4 MB spills to disk many times over.
  await bulk?.query("SET work_mem = '256MB'; SET maintenance_work_mem = '512MB'");
  const exec = async (q: string): Promise<unknown> => (bulk ? bulk.query(q) : db.execute(sql.raw(q)));
  const created = await createCertificate(actor, { name: "bench-cert-1", certificate: caPem(), associated_hostnames: ["cert-1.bench.test"] });
  if (!created.ok) throw new Error(`createCertificate failed: ${JSON.stringify(created)}`);
  const n = SCALE;
  await exec(`INSERT INTO mtls_certificates (name, certificate_pem, fingerprint, expires_on, chain)
    SELECT 'bench-cert-' || g, c.certificate_pem, c.fingerprint, c.expires_on - (g || ' days')::interval, c.chain
    FROM mtls_certificates c, generate_series(2, ${n.certificates}) g WHERE c.name = 'bench-cert-1'`);
  await exec(`INSERT INTO certificate_hostnames (certificate_id, hostname, position)
    SELECT id, 'cert-' || substr(name, 12) || '-' || h || '.bench.test', h FROM mtls_certificates, generate_series(1, 2) h WHERE name LIKE 'bench-cert-%' AND name <> 'bench-cert-1'`);
  await exec(`INSERT INTO policies (name, decision, include, require, exclude, session_duration)
    SELECT 'bench policy ' || g, (ARRAY['allow','deny','non_identity','bypass'])[1 + g % 4],
      jsonb_build_array(jsonb_build_object('common_name', jsonb_build_object('common_name', 'device-' || g))),
      CASE WHEN g % 3 = 0 THEN jsonb_build_array(jsonb_build_object('certificate', '{}'::jsonb)) ELSE '[]'::jsonb END,
      CASE WHEN g % 5 = 0 THEN jsonb_build_array(jsonb_build_object('ip', jsonb_build_object('ip', '10.' || (g % 256) || '.0.0/16'))) ELSE '[]'::jsonb END,
      '24h'
    FROM generate_series(1, ${n.policies}) g`);
  await exec(`INSERT INTO applications (aud, name, domain, hostname, path, session_duration)
    SELECT md5('bench-app-' || g) || md5('aud' || g), 'bench app ' || g, 'app-' || g || '.bench.test', 'app-' || g || '.bench.test', '', '24h'
    FROM generate_series(1, ${n.applications}) g`);
  await exec(`INSERT INTO application_policies (application_id, policy_id, precedence)
    SELECT a.id, p.id, k FROM
      (SELECT id, row_number() OVER (ORDER BY name) AS r FROM applications WHERE name LIKE 'bench app %') a
      JOIN generate_series(1, 2) k ON true
      JOIN (SELECT id, row_number() OVER (ORDER BY name) AS r FROM policies WHERE name LIKE 'bench policy %') p
        ON p.r = ((a.r - 1) * 2 + k - 1) % ${n.policies} + 1`);
  for (let from = 1; from <= n.auditEvents; from += CHUNK) {
    const to = Math.min(n.auditEvents, from + CHUNK - 1);
    await exec(`INSERT INTO audit_events (at, actor_type, actor_id, actor, action, resource_type, resource_id, before, after, ip)
      SELECT now() - (g || ' seconds')::interval, 'user', NULL, 'admin@bench.test',
        (ARRAY['create','update','delete'])[1 + g % 3], (ARRAY['policy','application','mtls_certificate','user','api_token'])[1 + g % 5],
        md5(g::text), CASE WHEN g % 3 = 0 THEN NULL ELSE jsonb_build_object('name', 'item ' || g, 'version', g % 7) END,
        CASE WHEN g % 3 = 2 THEN NULL ELSE jsonb_build_object('name', 'item ' || g, 'version', g % 7 + 1) END, '192.0.2.' || (g % 250)
      FROM generate_series(${from}, ${to}) g`);
  }
  const seededAt = new Date();
  const at0 = `'${seededAt.toISOString()}'::timestamptz`;
  const q = async <T>(text: string) => ((await exec(text)) as unknown as { rows: T[] }).rows;
  const indexes = await q<{ name: string; def: string }>(`SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'access_log' AND indexname <> 'access_log_pkey'`);
  for (const i of indexes) await exec(`DROP INDEX ${i.name}`);
  await exec(`ALTER TABLE access_log DISABLE TRIGGER access_log_hourly_insert`);
  // Oldest first, as the gateway writes them: ids grow with time (retention's row limit relies on it).
  for (let to = n.accessLog; to >= 1; to -= CHUNK) {
    const from = Math.max(1, to - CHUNK + 1);
    await exec(`INSERT INTO access_log (at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip)
      SELECT ${at0} - make_interval(secs => g * 0.5), 'app-' || (1 + g % ${n.applications}) || '.bench.test', NULL, 'bench app ' || (1 + g % ${n.applications}),
        'device-' || (g % 1000), to_hex(4096 + g % 100000), CASE WHEN g % 4 = 0 THEN 'deny' ELSE 'allow' END, NULL, 'bench policy ' || (1 + g % ${n.policies}),
        CASE WHEN g % 4 = 0 THEN 'Denied by default: no policy matched' ELSE 'Allowed by Service Auth policy "bench policy ' || (1 + g % ${n.policies}) || '"' END,
        '198.51.100.' || (g % 250)
      FROM generate_series(${from}, ${to}) g ORDER BY g DESC`);
  }
  await exec(`ALTER TABLE access_log ENABLE TRIGGER access_log_hourly_insert`);
  for (const i of indexes) await exec(i.def);
  await exec(`TRUNCATE access_log_hourly`);
  // In hour order, as the trigger writes them: a day's hours then sit in a few heap pages, as in production.
  await exec(`INSERT INTO access_log_hourly (hour, application_name, allowed, blocked)
    SELECT date_trunc('hour', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC', coalesce(application_name, '(no application)'),
      coalesce(sum(requests) FILTER (WHERE decision = 'allow'), 0), coalesce(sum(requests) FILTER (WHERE decision = 'deny'), 0)
    FROM access_log GROUP BY 1, 2 ORDER BY 1, 2`);
  const keep = { maxAgeDays: 3650, maxRows: Math.max(1_000_000, n.accessLog, n.auditEvents) * 2 };
  await setSetting(db, RETENTION_KEY, { accessLog: keep, auditLog: keep });
  // As autovacuum leaves a log built up over weeks: visibility map set (index-only scans), statistics current.
  await exec("VACUUM ANALYZE");
  const count = async (t: string) => Number(((await exec(`SELECT count(*)::int AS n FROM ${t}`)) as unknown as { rows: { n: number }[] }).rows[0].n);
  const counts: Record<string, number> = {};
  for (const t of ["mtls_certificates", "certificate_hostnames", "policies", "applications", "application_policies", "audit_events", "access_log"]) counts[t] = await count(t);
  await bulk?.end();
  await closeDb();
  console.log(JSON.stringify({ counts, seconds: Math.round((Date.now() - t0) / 1000), at: seededAt.getTime() }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
