/**
 * The managed CA (issue #16), on a fresh PGlite database in this process.
 * - Issuing: BENCH_CA_ISSUE (default 1,000) client certificates from CSRs through `issueClientCertificate` (what the
 *   zone API's POST and the console's form call: CSR parse and signature check, signing, insert, audit), one after
 *   another, per second. Baseline: `openssl x509 -req` signing the same CSRs, one process per certificate (100 of them).
 * - CRL: re-signing the CRL with BENCH_CA_REVOKED (default 10,000) revoked entries (`regenerateCrl`: read, sign,
 *   store; median of 3), target under 1 s. Baseline: `openssl ca -gencrl` over an index of as many entries. Meanwhile
 *   a separate client process keeps requesting through the gateway (two workers) with an issued certificate (allowed;
 *   the application has no origin, so an answered request is a 502 after the decision): how many it got answered and
 *   the slowest, i.e. whether the gateway kept serving while the CRL was made and reloaded.
 */
import "reflect-metadata";
import { execFileSync, spawn } from "node:child_process";
import { webcrypto } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import * as x509 from "@peculiar/x509";
import { generateLargeCrl } from "../test/pki/large-crl";
import type { Row } from "./lib/report";
import { median } from "./lib/timing";

const ISSUE = Number(process.env.BENCH_CA_ISSUE ?? 1000);
const REVOKED = Number(process.env.BENCH_CA_REVOKED ?? 10_000);
const HOST = "ca-bench.example.com";

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

/** A separate process that requests through the gateway for `ms` and reports what it got. */
function startClient(port: number, cert: string, key: string, ms: number): Promise<{ ok: number; other: number; failed: number; maxMs: number }> {
  const code = `
    const tls = require("node:tls"); const fs = require("node:fs");
    const [port, host, certF, keyF, ms] = process.argv.slice(1);
    const cert = fs.readFileSync(certF), key = fs.readFileSync(keyF);
    const end = Date.now() + Number(ms); const r = { ok: 0, other: 0, failed: 0, maxMs: 0 };
    const one = () => new Promise((done) => {
      const t0 = Date.now(); let data = "";
      const s = tls.connect({ host: "127.0.0.1", port: Number(port), servername: host, cert, key, rejectUnauthorized: false });
      s.setTimeout(10000, () => s.destroy());
      s.on("secureConnect", () => s.write("GET / HTTP/1.1\\r\\nHost: " + host + "\\r\\nConnection: close\\r\\n\\r\\n"));
      s.on("data", (c) => (data += c)); s.on("error", () => undefined);
      s.on("close", () => { const st = Number((/^HTTP\\/1\\.1 (\\d{3})/.exec(data) || [])[1] || 0);
        if (st === 502) r.ok++; else if (st) r.other++; else r.failed++; r.maxMs = Math.max(r.maxMs, Date.now() - t0); done(); });
    });
    (async () => { while (Date.now() < end) await one(); process.stdout.write(JSON.stringify(r)); })();`;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", code, String(port), HOST, cert, key, String(ms)], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.on("close", () => {
      try {
        resolve(JSON.parse(out));
      } catch (e) {
        reject(e);
      }
    });
  });
}

export async function runManagedCa(): Promise<Row[]> {
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-bench-ca-"));
  const saved = { dir: process.env.PORTCULLIS_DATA_DIR, url: process.env.DATABASE_URL };
  process.env.PORTCULLIS_DATA_DIR = path.join(dir, "data");
  delete process.env.DATABASE_URL;
  const { closeDb, getDb } = await import("../lib/db/client");
  const { clientCertificates } = await import("../lib/db/schema");
  const { ensureManagedCa, regenerateCrl } = await import("../lib/domain/managed-ca");
  const { issueClientCertificate } = await import("../lib/domain/client-certificates");
  const { updateCertificate } = await import("../lib/domain/certificates");
  const { createPolicy } = await import("../lib/domain/policies");
  const { createApplication } = await import("../lib/domain/applications");
  const { mutate } = await import("../lib/domain/core/mutate");
  const { ok } = await import("../lib/domain/core/result");
  const { createGateway, loadServerCert } = await import("../lib/gateway");
  const admin = { type: "user", id: null, label: "bench@bench.test", role: "admin", permission: "edit" } as const;
  const must = <T>(r: { ok: true; value: T } | { ok: false; error: { message: string } }): T => {
    if (!r.ok) throw new Error(r.error.message);
    return r.value;
  };
  try {
    const db = await getDb();
    const ca = await ensureManagedCa(db);
    const csrs = await makeCsrs(ISSUE);
    // Issuing through the domain function the API and the console call.
    must(await issueClientCertificate(db, admin, { csrPem: csrs[0], validityDays: 365 })); // warm-up (key import, caches)
    const t0 = performance.now();
    for (const csrPem of csrs) must(await issueClientCertificate(db, admin, { csrPem, validityDays: 365 }));
    const issuePerSecond = ISSUE / ((performance.now() - t0) / 1000);
    // Baseline: openssl signing the same CSRs with a P-256 CA of its own, one process per certificate.
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650", "-subj", "/CN=Bench openssl CA"], { cwd: dir, stdio: "ignore" });
    const sample = csrs.slice(0, Math.min(100, ISSUE));
    sample.forEach((c, i) => writeFileSync(path.join(dir, `r${i}.csr`), c));
    const b0 = performance.now();
    sample.forEach((_, i) => execFileSync("openssl", ["x509", "-req", "-in", `r${i}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-set_serial", String(1000 + i), "-days", "365", "-sha256", "-out", `r${i}.pem`], { cwd: dir, stdio: "ignore" }));
    const opensslPerSecond = sample.length / ((performance.now() - b0) / 1000);

    // 10,000 revoked certificates of the managed CA (rows only: the CRL reads serials and dates).
    const now = new Date();
    for (let i = 0; i < REVOKED; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, REVOKED - i) }, (_, j) => ({
        managedCaId: ca.id, commonName: `revoked-${i + j}`, serialNumber: (0x10000000 + i + j).toString(16), certificatePem: "-", csrPem: "-", subject: {},
        validityDays: 365, issuedOn: now, expiresOn: new Date(now.getTime() + 365 * 86_400_000), fingerprintSha256: "-", ski: "-", signature: "ECDSAWithSHA256",
        status: "revoked", revokedAt: now,
      }));
      await db.insert(clientCertificates).values(rows);
    }
    // The gateway (two workers) serving a device of this CA while the CRL is re-signed and reloaded.
    must(await updateCertificate(admin, ca.id, { associated_hostnames: [HOST] }));
    const pol = must(await createPolicy(admin, { name: "bench devices", decision: "non_identity", include: [{ common_name: { common_name: "bench-device-1" } }] }));
    must(await createApplication(admin, { name: "CA bench", domain: HOST, policies: [pol.id] }));
    // The device key: CSRs were made in this process with non-extractable keys, so issue one more from openssl.
    execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "device.key", "-out", "device.csr", "-subj", "/CN=bench-device-1"], { cwd: dir, stdio: "ignore" });
    const dev = must(await issueClientCertificate(db, admin, { csrPem: readFileSync(path.join(dir, "device.csr"), "utf8"), validityDays: 30 }));
    writeFileSync(path.join(dir, "device.pem"), dev.certificatePem);
    const gw = await createGateway({ port: 0, host: "127.0.0.1", identity: loadServerCert({ dir, hostnames: [HOST] }), workers: 2 });
    const times: number[] = [];
    let firstMs = 0;
    let during = { ok: 0, other: 0, failed: 0, maxMs: 0 };
    try {
      // The first CRL of this process encodes every entry (later ones reuse them): made before the client starts.
      const f0 = performance.now();
      must(await mutate(admin, async (tx) => ok(await regenerateCrl(tx, ca.id))));
      firstMs = performance.now() - f0;
      const client = startClient(gw.port, path.join(dir, "device.pem"), path.join(dir, "device.key"), 6000);
      await new Promise((r) => setTimeout(r, 1000));
      for (let i = 0; i < 3; i++) {
        const c0 = performance.now();
        must(await mutate(admin, async (tx) => ok(await regenerateCrl(tx, ca.id))));
        times.push(performance.now() - c0);
        await new Promise((r) => setTimeout(r, 500));
      }
      during = await client;
    } finally {
      await gw.close();
    }
    const caKeyCrl = performance.now();
    generateLargeCrl({ caCert: path.join(dir, "ca.pem"), caKey: path.join(dir, "ca.key"), count: REVOKED });
    const opensslCrlMs = performance.now() - caKeyCrl;
    const crlMs = median(times);
    return [
      {
        benchmark: "managed CA: issue client certificates from CSRs",
        metric: `${ISSUE} CSRs, one after another (issueClientCertificate: check, sign, store, audit)`,
        ours: Math.round(issuePerSecond),
        unit: "certificates/s",
        baselineName: "openssl x509 -req, one process per certificate",
        baseline: Math.round(opensslPerSecond),
        better: "higher",
        target: "measured",
        met: null,
        note: "through the domain function the zone API's POST and the console call (not over HTTP)",
      },
      {
        benchmark: "managed CA: CRL re-signed",
        metric: `${REVOKED.toLocaleString("en")} revoked entries (median of 3: read, sign, store)`,
        ours: Math.round(crlMs),
        unit: "ms",
        baselineName: `openssl ca -gencrl, ${REVOKED.toLocaleString("en")} entries`,
        baseline: Math.round(opensslCrlMs),
        better: "lower",
        target: "< 1000 ms",
        met: crlMs < 1000,
        note: `the first CRL of a process (every entry encoded) took ${Math.round(firstMs)} ms; the gateway meanwhile (2 workers, another process requesting; allowed, no origin): ${during.ok} answered 502, ${during.other} other, ${during.failed} failed, slowest ${during.maxMs} ms`,
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
