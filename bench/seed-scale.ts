/**
 * Seeds a database at the scale of issue 8 (run by bench/pages.ts as a child process with PORTCULLIS_DATA_DIR or
 * DATABASE_URL set): 50 mTLS certificates (the first created through lib/domain, the rest cloned in SQL), 1,000
 * policies, 500 applications (2 policies each), 1,000,000 audit events and 1,000,000 access-log rows, bulk-inserted
 * with generate_series. Prints one JSON line with the row counts and seconds taken.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { closeDb, getDb } from "../lib/db/client";
import type { Actor } from "../lib/domain/core/actor";
import { createCertificate } from "../lib/domain/certificates";

const SCALE = {
  certificates: Number(process.env.BENCH_CERTS ?? 50),
  policies: Number(process.env.BENCH_POLICIES ?? 1000),
  applications: Number(process.env.BENCH_APPS ?? 500),
  auditEvents: Number(process.env.BENCH_AUDIT ?? 1_000_000),
  accessLog: Number(process.env.BENCH_ACCESS ?? 1_000_000),
};
const CHUNK = 100_000;
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
  const exec = (q: string) => db.execute(sql.raw(q));
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
  for (let from = 1; from <= n.accessLog; from += CHUNK) {
    const to = Math.min(n.accessLog, from + CHUNK - 1);
    await exec(`INSERT INTO access_log (at, hostname, application_id, application_name, client_cn, serial_number, decision, policy_id, policy_name, reason, ip)
      SELECT now() - (g * 0.5 || ' seconds')::interval, 'app-' || (1 + g % ${n.applications}) || '.bench.test', NULL, 'bench app ' || (1 + g % ${n.applications}),
        'device-' || (g % 1000), to_hex(4096 + g % 100000), CASE WHEN g % 4 = 0 THEN 'deny' ELSE 'allow' END, NULL, 'bench policy ' || (1 + g % ${n.policies}),
        CASE WHEN g % 4 = 0 THEN 'Denied by default: no policy matched' ELSE 'Allowed by Service Auth policy "bench policy ' || (1 + g % ${n.policies}) || '"' END,
        '198.51.100.' || (g % 250)
      FROM generate_series(${from}, ${to}) g`);
  }
  await exec("ANALYZE");
  const count = async (t: string) => Number(((await exec(`SELECT count(*)::int AS n FROM ${t}`)) as unknown as { rows: { n: number }[] }).rows[0].n);
  const counts: Record<string, number> = {};
  for (const t of ["mtls_certificates", "certificate_hostnames", "policies", "applications", "application_policies", "audit_events", "access_log"]) counts[t] = await count(t);
  await closeDb();
  console.log(JSON.stringify({ counts, seconds: Math.round((Date.now() - t0) / 1000) }));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
