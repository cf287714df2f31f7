/**
 * `npm run bench [-- name ...]`: runs the selected benchmarks (default: all), each with its named baseline in the
 * same run on the same machine, prints one table and writes bench/results/latest.json.
 * Names: policy, startup, inspector, pages, js, gateway, crl, cli, revocation, many-hostnames, identity, managed-ca. Environment knobs are listed in each benchmark file.
 */
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { machineFacts, markdownTable, previousRows, textTable, writeResults, type Row } from "./lib/report";

const here = path.dirname(fileURLToPath(import.meta.url));

type Bench = () => Promise<Row[]>;
const BENCHES: Record<string, { describe: string; load: () => Promise<Bench> }> = {
  policy: { describe: "lib/pki + lib/policy decisions vs openssl verify", load: async () => (await import("./policy")).runPolicy },
  startup: { describe: "next start to /api/health OK, idle RSS vs bare node http", load: async () => (await import("./startup")).runStartup },
  inspector: { describe: "Add mTLS inspector in headless Chromium vs bare @peculiar/x509 and node:crypto", load: async () => (await import("./inspector")).runInspector },
  js: { describe: "first-load JS per route (gzip) vs a bare Next page", load: async () => (await import("./js")).runJs },
  gateway: { describe: "gateway (node and nginx engines) vs nginx, Caddy, HAProxy and the Node floor", load: async () => (await import("./gateway")).runGateway },
  pages: { describe: "list pages at scale (TTFB p50/p95) on PGlite and PostgreSQL", load: async () => (await import("./pages")).runPages },
  crl: { describe: "Test mTLS with a 60,000-entry CRL: first and later calls vs one parse per call", load: async () => (await import("./crl")).runCrl },
  cli: { describe: "portcullis verify (prebuilt CLI, one process per call) vs openssl verify", load: async () => (await import("./cli")).runCli },
  revocation: { describe: "200 uncached leaves, 10,000-entry CRLs: lib/pki and portcullis verify vs openssl verify -crl_check_all", load: async () => (await import("./revocation")).runRevocation },
  "many-hostnames": { describe: "gateway with 1,000 hostnames / 50 CAs / 1,000 apps, and with a 60,000-entry CRL, vs one hostname: handshakes/s, change propagation, RSS", load: async () => (await import("./many-hostnames")).runManyHostnames },
  identity: { describe: "gateway keep-alive with a CF_Authorization session vs the certificate-only path", load: async () => (await import("./gateway-identity")).runGatewayIdentity },
  "managed-ca": { describe: "managed CA: issuing from CSRs vs openssl x509 -req; a 10,000-entry CRL re-signed vs openssl ca -gencrl, the gateway serving", load: async () => (await import("./managed-ca")).runManagedCa },
};

async function main() {
  const args = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const unknown = args.filter((a) => !(a in BENCHES));
  if (unknown.length) {
    console.error(`Unknown benchmark(s): ${unknown.join(", ")}. Available: ${Object.keys(BENCHES).join(", ")}`);
    process.exit(2);
  }
  const selected = args.length ? args : Object.keys(BENCHES);
  const machine = machineFacts();
  console.log(`Portcullis benchmarks: ${selected.join(", ")}`);
  console.log(`${machine.cpuModel} × ${machine.cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.openssl}`);
  console.log(`load average at start: ${machine.loadAverageStart.join(" ")}${machine.loadAverageStart[0] > machine.cores * 0.5 ? "  (machine is busy: numbers are pessimistic)" : ""}\n`);
  const rows: Row[] = [];
  const errors: { benchmark: string; error: string }[] = [];
  for (const name of selected) {
    const started = Date.now();
    console.log(`▶ ${name}: ${BENCHES[name].describe}`);
    try {
      const got = await (await BENCHES[name].load())();
      const measuredAt = new Date().toISOString();
      rows.push(...got.map((r) => ({ ...r, suite: name, measuredAt })));
      console.log(`  done in ${((Date.now() - started) / 1000).toFixed(1)} s (load ${os.loadavg()[0].toFixed(2)})`);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      errors.push({ benchmark: name, error: msg });
      console.log(`  FAILED: ${msg}`);
    }
  }
  machine.loadAverageEnd = os.loadavg().map((n) => Math.round(n * 100) / 100);
  const file = path.join(here, "results", "latest.json");
  // Benchmarks not run this time keep their previous rows (each row says when it was measured).
  const kept = previousRows(file).filter((r) => !selected.includes(r.suite ?? ""));
  const all = Object.keys(BENCHES).flatMap((name) => [...kept, ...rows].filter((r) => r.suite === name));
  writeResults(file, machine, all, selected, errors);
  console.log(`\n${textTable(rows)}\n`);
  if (kept.length) console.log(`(${kept.length} rows from earlier runs of other benchmarks kept in latest.json)`);
  if (process.argv.includes("--markdown")) console.log(`${markdownTable(all)}\n`);
  console.log(`load average at end: ${machine.loadAverageEnd.join(" ")}; results written to ${path.relative(process.cwd(), file)}`);
  if (errors.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
