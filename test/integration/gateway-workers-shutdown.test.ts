/**
 * Worker processes batch their access-log rows (lib/gateway/log-batch, sent to the primary every 250 ms): a graceful
 * shutdown right after a burst of requests still stores a row for every request the gateway answered.
 */
import https from "node:https";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { flushAccessLog } from "@/lib/domain/access-log";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { configureSeedGateway, generateGatewayPki, httpsGet, startOrigin, type GatewayPki } from "./gateway-fixtures";

const HOST = "shutdown.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway | null = null;

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  await configureSeedGateway(pki, HOST, origin.url);
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("gateway worker processes on a graceful shutdown", () => {
  it("lose no access-log row: every answered request is in the log once close() resolves", async () => {
    const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [HOST] });
    gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
    const port = gw.port;
    // New connections (spread over both workers) and keep-alive ones, as fast as they are answered.
    const keepAlive = new https.Agent({ keepAlive: true, maxSockets: 4, cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) });
    const fresh = new https.Agent({ keepAlive: false, cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) });
    let answered = 0;
    await Promise.all(
      Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 25; i++) {
          const r = await httpsGet({ port, host: HOST, servername: HOST, path: `/burst/${w}/${i}`, agent: w % 2 ? keepAlive : fresh });
          expect(r.status).toBe(200);
          answered++;
        }
      }),
    );
    keepAlive.destroy();
    fresh.destroy();
    const closing = gw;
    gw = null;
    await closing.close();
    await flushAccessLog();
    const db = await getDb();
    const { rows } = (await db.execute(sql`select count(*)::int as n, count(distinct path)::int as paths from access_log where hostname = ${HOST} and path like '/burst/%'`)) as unknown as { rows: { n: number; paths: number }[] };
    expect(answered).toBe(200);
    expect(rows[0]).toEqual({ n: 200, paths: 200 });
  }, 120_000);
});
