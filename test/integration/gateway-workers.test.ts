/**
 * The gateway with worker processes (createGateway({ workers: 2 })): this process owns the database and ships the
 * configuration and the signing key to the workers; the workers share the port, sign with the same key, send their
 * access-log rows back, apply a configuration change within a second, and a killed worker is replaced.
 */
import cluster from "node:cluster";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import tls from "node:tls";
import { sql } from "drizzle-orm";
import { createLocalJWKSet, jwtVerify } from "jose";
import { getDb } from "@/lib/db/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { updatePolicy } from "@/lib/domain/policies";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { readManifest, ROOT, staleReason } from "../../cli/manifest.mjs";
import { WORKER_BUNDLE } from "../../scripts/gateway-worker-bundle.mjs";
import { configureSeedGateway, curl, generateGatewayPki, httpsGet, startOrigin, until, type GatewayPki } from "./gateway-fixtures";

const HOST = "auth.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;
let aud = "";
let policyId = "";

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });
const workerPids = () => Object.values(cluster.workers ?? {}).flatMap((w) => (w && !w.isDead() ? [w.process.pid!] : []));

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  ({ policyId, aud } = await configureSeedGateway(pki, HOST, origin.url));
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("gateway with worker processes", () => {
  it("runs two workers on one port; every connection gets the same decision and a JWT the JWKS of every worker verifies", async () => {
    expect(workerPids()).toHaveLength(2);
    // The workers run the bundled worker (scripts/gateway-worker-bundle.mjs), built from the current sources.
    for (const pid of workerPids()) expect(readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0")).toContain(WORKER_BUNDLE);
    expect(staleReason(readManifest(path.join(path.dirname(WORKER_BUNDLE), "gateway-worker.json")), ROOT, WORKER_BUNDLE)).toBeNull();
    const jwksSeen = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await get({ cert: pki.client, paths: ["/hello"] });
      expect(r.status).toBe(200);
      expect(r.body).toBe("origin ok");
      const assertion = String(origin.seen.at(-1)!.headers["cf-access-jwt-assertion"]);
      const jwks = (await get({ paths: ["/cdn-cgi/access/certs"] })).body;
      jwksSeen.add(jwks);
      const { payload } = await jwtVerify(assertion, createLocalJWKSet(JSON.parse(jwks)), { audience: aud, issuer: `https://${HOST}:${gw.port}` });
      expect(payload.common_name).toBe("John Doe");
    }
    expect(jwksSeen.size).toBe(1);
    expect((await get({ cert: pki.janeRoe })).status).toBe(403);
    expect((await get()).status).toBe(403);
  });

  it("sends one TLS 1.3 session ticket per full handshake (OpenSSL sends two by default), and a client resumes with it", async () => {
    const opts = { host: "127.0.0.1", port: gw.port, servername: HOST, ca: readFileSync(cacert), cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) };
    const connect = (session?: Buffer) =>
      new Promise<{ tickets: Buffer[]; reused: boolean; protocol: string | null }>((resolve, reject) => {
        const tickets: Buffer[] = [];
        let protocol: string | null = null;
        let reused = false;
        const s = tls.connect({ ...opts, ...(session ? { session } : {}) });
        s.on("session", (t: Buffer) => tickets.push(t));
        s.on("error", reject);
        s.on("secureConnect", () => {
          protocol = s.getProtocol();
          reused = s.isSessionReused();
          s.write(`GET /hello HTTP/1.1\r\nHost: ${HOST}\r\nConnection: close\r\n\r\n`);
        });
        s.on("data", () => undefined);
        // Tickets arrive after the handshake, before the response; the server closes after answering.
        s.on("close", () => resolve({ tickets, reused, protocol }));
      });
    const first = await connect();
    expect(first.protocol).toBe("TLSv1.3");
    expect(first.reused).toBe(false);
    expect(first.tickets).toHaveLength(1);
    const resumed = await connect(first.tickets[0]);
    expect(resumed.reused).toBe(true);
  });

  it("writes the workers' decisions to the access log of the database-owning process", async () => {
    await until(
      async () => {
        await flushAccessLog();
        const { items } = await listAccessLog({ hostname: HOST });
        return items.some((i) => i.decision === "allow" && i.client_cn === "John Doe") && items.some((i) => i.decision === "deny" && i.client_cn === "Jane Roe");
      },
      5000,
      "access-log rows from the workers",
    );
  });

  it("counts the workers' requests for unknown hostnames in unknown_host_hourly, without access-log rows", async () => {
    const db = await getDb();
    const count = async (q: ReturnType<typeof sql>) => Number(((await db.execute(q)) as unknown as { rows: { n: number }[] }).rows[0].n);
    await flushAccessLog();
    const before = await count(sql`select coalesce(sum(requests), 0)::int as n from unknown_host_hourly`);
    for (let i = 0; i < 20; i++) {
      const h = `w${i}-${Math.random().toString(36).slice(2, 8)}.unknown.test`;
      expect((await httpsGet({ port: gw.port, host: h, servername: h })).status).toBe(404);
    }
    await until(
      async () => {
        await flushAccessLog();
        return (await count(sql`select coalesce(sum(requests), 0)::int as n from unknown_host_hourly`)) - before === 20;
      },
      5000,
      "the workers' unknown-host counts",
    );
    expect(await count(sql`select count(*)::int as n from access_log where hostname like '%.unknown.test'`)).toBe(0);
  });

  it("applies a policy change in every worker within a second or so", async () => {
    const u = await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "Jane Roe" } }], version: 1 });
    expect(u.ok, JSON.stringify(u)).toBe(true);
    const ms = await until(async () => (await get({ cert: pki.janeRoe })).status === 200, 5000, "the new policy");
    expect(ms).toBeLessThan(2000);
    // New connections land on either worker: all of them have the new configuration.
    for (let i = 0; i < 6; i++) {
      expect((await get({ cert: pki.janeRoe })).status).toBe(200);
      expect((await get({ cert: pki.client })).status).toBe(403);
    }
  });

  it("replaces a worker that was killed, on the same port", async () => {
    const [victim] = workerPids();
    process.kill(victim, "SIGKILL");
    await until(async () => workerPids().length === 2 && !workerPids().includes(victim), 60_000, "a replacement worker");
    for (let i = 0; i < 4; i++) expect((await get({ cert: pki.janeRoe })).status).toBe(200);
  }, 90_000);
});
