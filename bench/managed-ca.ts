/**
 * The managed CA (issue #16), on a fresh PGlite database in this process.
 * - Issuing through the API: BENCH_CA_ISSUE (default 1,000) client certificates from CSRs by
 *   `POST /client/v4/zones/{zone_id}/client_certificates` with an API token, over real HTTP (keep-alive, one request
 *   after another) to the route module `next start` serves (test/api/server.ts mounts the real app/ route exports on
 *   a node:http server: the production build is several minutes to make on this machine and adds Next's own routing
 *   only), per second. Baselines in the same run: the domain function the route calls (`issueClientCertificate`)
 *   with the same CSRs, and `openssl x509 -req` signing 100 of them, one process per certificate.
 * - CRL: re-signing the CRL with BENCH_CA_REVOKED (default 10,000) revoked entries (`regenerateCrl`: read, sign,
 *   store; median of 5), target under 1 s. Baseline: `openssl ca -gencrl` over an index of as many entries.
 * - The gateway (two workers) serving a device of that CA, measured from another process (./ca-gateway-client: one
 *   TLS connection per request) for BENCH_CA_WINDOW_MS with nothing else happening, then as long again while the
 *   CRL is re-signed every 500 ms (each one reloaded by the gateway): requests/s and p50/p99 of both windows.
 */
import "reflect-metadata";
import { execFileSync } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as x509 from "@peculiar/x509";
import { generateLargeCrl } from "../test/pki/large-crl";
import { runGatewayClient, type ClientRun } from "./ca-gateway-client";
import type { Row } from "./lib/report";
import { median } from "./lib/timing";

const ISSUE = Number(process.env.BENCH_CA_ISSUE ?? 1000);
const REVOKED = Number(process.env.BENCH_CA_REVOKED ?? 10_000);
const WINDOW_MS = Number(process.env.BENCH_CA_WINDOW_MS ?? 4000);
const HOST = "ca-bench.example.com";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function makeCsrs(n: number): Promise<string[]> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const keys = (await webcrypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, false, ["sign", "verify"])) as CryptoKeyPair;
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: `CN=bench-device-${i}`, keys, signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } });
    out.push(csr.toString("pem"));
  }
  return out;
}

const rate = (n: number, t0: number) => n / ((performance.now() - t0) / 1000);
const fmtRun = (r: ClientRun) => `${r.perSecond} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, max ${r.max} ms (${r.ok} allowed, ${r.other} other, ${r.failed} failed)`;

export async function runManagedCa(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-ca-"));
  const saved = { dir: process.env.PORTCULLIS_DATA_DIR, url: process.env.DATABASE_URL };
  process.env.PORTCULLIS_DATA_DIR = path.join(dir, "data");
  delete process.env.DATABASE_URL;
  const { closeDb, getDb } = await import("../lib/db/client");
  const { getSetting } = await import("../lib/db/settings");
  const { clientCertificates } = await import("../lib/db/schema");
  const { ensureManagedCa, regenerateCrl } = await import("../lib/domain/managed-ca");
  const { issueClientCertificate } = await import("../lib/domain/client-certificates");
  const { updateCertificate } = await import("../lib/domain/certificates");
  const { createPolicy } = await import("../lib/domain/policies");
  const { createApplication } = await import("../lib/domain/applications");
  const { createApiToken } = await import("../lib/domain/api-tokens");
  const { createFirstAdmin } = await import("../lib/domain/users");
  const { mutate } = await import("../lib/domain/core/mutate");
  const { ok } = await import("../lib/domain/core/result");
  const { createGateway, loadServerCert } = await import("../lib/gateway");
  const { startApiServer } = await import("../test/api/server");
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  try {
    const db = await getDb();
    const user = must(await createFirstAdmin({ email: "bench@bench.test", name: "Bench", password: "bench-admin-password-1" }, null));
    const admin = { type: "user", id: user.id, label: user.email, role: "admin", permission: "edit" } as const;
    const token = must(await createApiToken(admin, { name: "bench", permission: "edit" })).secret;
    const zoneId = (await getSetting<string>(db, "zone_id"))!;
    const ca = await ensureManagedCa(db);
    const csrs = await makeCsrs(ISSUE);

    // Through the API over HTTP, as a client would: one request after another on a keep-alive connection.
    const api = await startApiServer();
    const url = `${api.baseURL}/zones/${zoneId}/client_certificates`;
    const post = async (csr: string) => {
      const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: JSON.stringify({ csr, validity_days: 365 }) });
      const body = (await res.json()) as { success: boolean; result?: { certificate?: string } };
      if (res.status !== 200 || !body.success || !body.result?.certificate) throw new Error(`POST client_certificates: HTTP ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    };
    let apiPerSecond = 0;
    try {
      await post(csrs[0]); // warm-up (route module, key import, caches)
      const t0 = performance.now();
      for (const csr of csrs) await post(csr);
      apiPerSecond = rate(ISSUE, t0);
    } finally {
      await api.close();
    }
    // Baseline: the domain function the route calls, the same CSRs.
    const d0 = performance.now();
    for (const csrPem of csrs) must(await issueClientCertificate(db, admin, { csrPem, validityDays: 365 }));
    const domainPerSecond = rate(ISSUE, d0);
    // Baseline: openssl signing the same CSRs with a P-256 CA of its own, one process per certificate.
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=Bench openssl CA"], { cwd: dir, stdio: "ignore" });
    const sample = csrs.slice(0, Math.min(100, ISSUE));
    sample.forEach((c, i) => writeFileSync(path.join(dir, `r${i}.csr`), c));
    const b0 = performance.now();
    sample.forEach((_, i) => execFileSync("openssl", ["x509", "-req", "-in", `r${i}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", String(1000 + i), "-days", "365", "-sha256", "-out", `r${i}.pem`], { cwd: dir, stdio: "ignore" }));
    const opensslPerSecond = rate(sample.length, b0);

    // 10,000 revoked certificates of the managed CA (rows only: the CRL reads serials and dates).
    const now = new Date();
    for (let i = 0; i < REVOKED; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, REVOKED - i) }, (_, j) => ({
        managedCaId: ca.id, commonName: `revoked-${i + j}`, serialNumber: (0x10000000 + i + j).toString(16), certificatePem: "-", csrPem: "-", subject: {},
        validityDays: 365, issuedOn: now, expiresOn: new Date(now.getTime() + 365 * 86_400_000), fingerprintSha256: "-", ski: "-", signature: "ECDSAWithSHA256",
        status: "revoked", revokedAt: new Date(now.getTime() - (REVOKED - i - j) * 1000),
      }));
      await db.insert(clientCertificates).values(rows);
    }
    const regenerate = async () => {
      const c0 = performance.now();
      must(await mutate(admin, async (tx) => ok(await regenerateCrl(tx, ca.id))));
      return performance.now() - c0;
    };
    // The first CRL of a process encodes every entry (later ones reuse them).
    const firstMs = await regenerate();
    const times: number[] = [];
    for (let i = 0; i < 5; i++) times.push(await regenerate());

    // The gateway (two workers) serving a device of this CA, without and then with CRLs being re-signed.
    must(await updateCertificate(admin, ca.id, { associated_hostnames: [HOST] }));
    const pol = must(await createPolicy(admin, { name: "bench devices", decision: "non_identity", include: [{ common_name: { common_name: "bench-device-1" } }] }));
    must(await createApplication(admin, { name: "CA bench", domain: HOST, policies: [pol.id] }));
    // The device key: CSRs were made in this process with non-extractable keys, so issue one more from openssl.
    execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "device.key", "-out", "device.csr", "-subj", "/CN=bench-device-1"], { cwd: dir, stdio: "ignore" });
    const dev = must(await issueClientCertificate(db, admin, { csrPem: readFileSync(path.join(dir, "device.csr"), "utf8"), validityDays: 30 }));
    writeFileSync(path.join(dir, "device.pem"), dev.certificatePem);
    const gw = await createGateway({ port: 0, host: "127.0.0.1", identity: loadServerCert({ dir, hostnames: [HOST] }), workers: 2 });
    const client = (ms: number) => runGatewayClient(gw.port, HOST, path.join(dir, "device.pem"), path.join(dir, "device.key"), ms);
    let idle: ClientRun;
    let during: ClientRun;
    const duringTimes: number[] = [];
    try {
      await client(1000); // warm-up: the workers load the hostname's configuration and CRL
      idle = await client(WINDOW_MS);
      const running = client(WINDOW_MS);
      const until = performance.now() + WINDOW_MS - 300;
      while (performance.now() < until) {
        duringTimes.push(await regenerate());
        await sleep(500);
      }
      during = await running;
    } finally {
      await gw.close();
    }
    const o0 = performance.now();
    generateLargeCrl({ caCert: path.join(dir, "ca.pem"), caKey: path.join(dir, "ca.key"), count: REVOKED });
    const opensslCrlMs = performance.now() - o0;
    const crlMs = median(times);
    const load = os.loadavg()[0].toFixed(1);
    return [
      {
        benchmark: "managed CA: issue client certificates from CSRs through the API",
        metric: `${ISSUE} CSRs, POST /client/v4/zones/{zone_id}/client_certificates over HTTP with an API token, one after another`,
        ours: Math.round(apiPerSecond),
        unit: "certificates/s",
        baselineName: "issueClientCertificate (the domain function the route calls), same CSRs",
        baseline: Math.round(domainPerSecond),
        better: "higher",
        target: "measured",
        met: null,
        note: `the route module over node:http (not the Next.js production server); openssl x509 -req, one process per certificate: ${Math.round(opensslPerSecond)}/s; load ${load}`,
      },
      {
        benchmark: "managed CA: CRL re-signed",
        metric: `${REVOKED.toLocaleString("en")} revoked entries (median of 5: read, sign, store)`,
        ours: Math.round(crlMs),
        unit: "ms",
        baselineName: `openssl ca -gencrl, ${REVOKED.toLocaleString("en")} entries`,
        baseline: Math.round(opensslCrlMs),
        better: "lower",
        target: "< 1000 ms",
        met: crlMs < 1000,
        note: `the first CRL of a process (every entry encoded) took ${Math.round(firstMs)} ms; re-signed every 500 ms while the gateway served: median ${Math.round(median(duringTimes))} ms; load ${load}`,
      },
      {
        benchmark: "managed CA: the gateway while CRLs are re-signed",
        metric: `requests/s through the gateway (2 workers, a connection per request), ${WINDOW_MS} ms with a ${REVOKED.toLocaleString("en")}-entry CRL re-signed and reloaded every 500 ms (${duringTimes.length} times)`,
        ours: during.perSecond,
        unit: "requests/s",
        baselineName: `the same ${WINDOW_MS} ms with no CRL re-signed`,
        baseline: idle.perSecond,
        better: "higher",
        target: "keeps serving",
        met: during.failed === 0 && during.other === 0 && during.ok > 0,
        note: `during: ${fmtRun(during)}; without: ${fmtRun(idle)}; load ${load}`,
      },
    ];
  } finally {
    await closeDb();
    if (saved.dir === undefined) delete process.env.PORTCULLIS_DATA_DIR;
    else process.env.PORTCULLIS_DATA_DIR = saved.dir;
    if (saved.url !== undefined) process.env.DATABASE_URL = saved.url;
  }
}

// `npx tsx bench/managed-ca.ts` runs it alone and prints the rows.
if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(__filename)) {
  runManagedCa().then(
    (rows) => {
      console.log(JSON.stringify(rows, null, 2));
      process.exit(0);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
