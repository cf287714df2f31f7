/**
 * Gateway kill/restart resilience (issue #8, Resilience 2): configure a certificate, a policy and an application
 * through lib/domain, run the gateway as its own process (startGatewayFromEnv, two worker processes), SIGKILL its
 * primary in the middle of load, start it again on the same database and port, and check that it enforces exactly
 * the same configuration (same allow/deny outcomes, same JWKS — the signing key is persisted) and that no
 * configuration row was lost. The killed primary's workers must not outlive it (they would keep the port).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import https from "node:https";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeDb, getDb } from "@/lib/db/client";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { loadServerCert } from "@/lib/gateway";
import { configureSeedGateway, generateGatewayPki, startOrigin, until, type ClientCert, type GatewayPki } from "../integration/gateway-fixtures";

const HOST = "auth.example.com";
const ROOT = path.resolve(__dirname, "..", "..");
const CHILD = `
const load = async (f) => { const m = await import(f); return m.default ?? m; };
const { getDbHandle, closeDb } = await load("./lib/db/client.ts");
const { startGatewayFromEnv } = await load("./lib/gateway/index.ts");
await getDbHandle();
const gw = await startGatewayFromEnv();
console.log(JSON.stringify({ port: gw.port }));
process.once("SIGTERM", () => { gw.close().finally(() => closeDb().finally(() => process.exit(0))); });
`;

let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let identity: ReturnType<typeof loadServerCert>;
let port = 0;
let child: ChildProcess | null = null;

/** Every configuration row, as text, in a stable order. */
async function configRows(): Promise<string[]> {
  const db = await getDb();
  const out: string[] = [];
  for (const [table, order] of [
    ["mtls_certificates", "id"],
    ["certificate_hostnames", "certificate_id, hostname"],
    ["hostname_settings", "hostname"],
    ["policies", "id"],
    ["applications", "id"],
    ["application_policies", "application_id, policy_id"],
    ["settings", "key"],
  ] as const) {
    const res = (await db.execute(sql.raw(`select row_to_json(t)::text as r from ${table} t order by ${order}`))) as unknown as { rows: { r: string }[] };
    out.push(...res.rows.map((r) => `${table}: ${r.r}`));
  }
  return out;
}

function childPids(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      if (Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid) out.push(Number(d));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function startGateway(): Promise<ChildProcess> {
  for (let attempt = 1; ; attempt++) {
    const c = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", CHILD], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, GATEWAY_PORT: String(port), GATEWAY_HOST: "127.0.0.1", GATEWAY_WORKERS: "2", GATEWAY_CERT: identity.certPath, GATEWAY_KEY: path.join(path.dirname(identity.certPath), "server.key") },
    });
    let err = "";
    c.stderr!.on("data", (d) => (err += d));
    const started = await new Promise<boolean>((resolve) => {
      let out = "";
      const timer = setTimeout(() => resolve(false), 180_000);
      c.stdout!.on("data", (d) => {
        out += d;
        if (out.includes("{")) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      c.once("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (started) return c;
    c.kill("SIGKILL");
    // The port can still be held for a moment by the killed gateway's last worker.
    if (attempt >= 5 || !/EADDRINUSE/.test(err)) throw new Error(`gateway did not start: ${err.slice(-2000)}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** One request on a new TLS connection: the status, or 0 when the connection failed. */
function request(cert: ClientCert | null, pathname = "/"): Promise<{ status: number; body: string }> {
  return new Promise((resolve) => {
    const req = https.request(
      {
        host: "127.0.0.1", port, path: pathname, servername: HOST, headers: { host: HOST }, agent: false, timeout: 10_000,
        ca: readFileSync(identity.certPath), ...(cert ? { cert: readFileSync(cert.cert), key: readFileSync(cert.key) } : {}),
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
        res.on("error", () => resolve({ status: 0, body: "" }));
      },
    );
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve({ status: 0, body: "" }));
    req.end();
  });
}

async function outcomes() {
  return {
    valid: (await request(pki.client)).status,
    wrongCn: (await request(pki.janeRoe)).status,
    revoked: (await request(pki.revoked)).status,
    none: (await request(null)).status,
    jwks: (await request(null, "/cdn-cgi/access/certs")).body,
  };
}

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-soak-")), hostnames: [HOST] });
  await configureSeedGateway(pki, HOST, origin.url);
  port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, "127.0.0.1", () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  // PGlite: only one process may open the data directory; the gateway process opens it from here on.
  await closeDb();
});

afterAll(async () => {
  if (child && child.exitCode === null) child.kill("SIGKILL");
  await origin?.close();
});

describe("soak: gateway kill and restart", () => {
  it("enforces the same configuration after a SIGKILL mid-load, loses no configuration row, and leaves no orphan worker", async () => {
    // First start: the signing key is created and persisted.
    child = await startGateway();
    const before = await outcomes();
    expect(before).toMatchObject({ valid: 200, wrongCn: 403, revoked: 403, none: 403 });
    expect(JSON.parse(before.jwks).keys).toHaveLength(1);
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
    const rowsBefore = await configRows();
    expect(rowsBefore.some((r) => r.startsWith("settings:") && r.includes("gateway_jwt_signing_key"))).toBe(true);
    await closeDb();

    for (let round = 1; round <= 2; round++) {
      child = await startGateway();
      const pid = child.pid!;
      const workers = childPids(pid);
      expect(workers.length).toBeGreaterThanOrEqual(2);
      // Load: 8 clients, new connection per request, alternately the allowed and a refused certificate.
      const seen = { allowed: 0, refusedOk: 0, wrongAllowed: 0, failed: 0, other: [] as number[] };
      let stop = false;
      const deadline = Date.now() + 60_000;
      const client = async (i: number) => {
        while (!stop && Date.now() < deadline) {
          const good = i % 2 === 0;
          const { status } = await request(good ? pki.client : pki.janeRoe);
          if (status === 0) {
            seen.failed++;
            await new Promise((r) => setTimeout(r, 20));
          }
          else if (good && status === 200) seen.allowed++;
          else if (!good && status === 403) seen.refusedOk++;
          else if (!good && status === 200) seen.wrongAllowed++;
          else seen.other.push(status);
        }
      };
      const load = Promise.all(Array.from({ length: 8 }, (_, i) => client(i)));
      await until(async () => seen.allowed >= 100 * round && seen.refusedOk >= 50, 60_000, "load to flow");
      child.kill("SIGKILL");
      await new Promise((r) => child!.once("exit", r));
      // The workers notice that their primary is gone and exit: nothing keeps serving a stale configuration.
      await until(async () => workers.every((w) => !alive(w)), 10_000, "the killed gateway's workers to exit");
      await new Promise((r) => setTimeout(r, 500));
      stop = true;
      await load;
      console.log(`[soak gateway-restart ${round}] ${JSON.stringify({ ...seen, other: seen.other.length })}`);
      expect(seen.wrongAllowed).toBe(0);
      expect(seen.other).toEqual([]);

      child = await startGateway();
      const after = await outcomes();
      expect(after).toEqual(before);
      child.kill("SIGTERM");
      await new Promise((r) => child!.once("exit", r));
      expect(await configRows()).toEqual(rowsBefore);
      await closeDb();
    }

    // The access log kept the decisions made before each kill was flushed (at least the graceful runs').
    await flushAccessLog();
    const { items } = await listAccessLog({ hostname: HOST });
    expect(items.some((i) => i.decision === "allow")).toBe(true);
    expect(items.some((i) => i.decision === "deny")).toBe(true);
    await closeDb();
  });
});
