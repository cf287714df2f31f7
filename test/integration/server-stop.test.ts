/**
 * The server's graceful stop (lib/server/startup `stopServerServices`, which scripts/serve.mjs runs on SIGTERM or
 * SIGINT): the gateway started from the environment closes and every access-log row of the requests it answered is
 * stored, although the rows wait up to a second in memory for their insert.
 */
import https from "node:https";
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { startGatewayFromEnv, stopGatewayFromEnv } from "@/lib/gateway";
import { stopServerServices } from "@/lib/server/startup";
import { configureSeedGateway, generateGatewayPki, httpsGet, startOrigin, type GatewayPki } from "./gateway-fixtures";

const HOST = "stop.example.com";
const ENV = { GATEWAY_PORT: "0", GATEWAY_HOST: "127.0.0.1", GATEWAY_WORKERS: "2" } as const;
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
const saved: Record<string, string | undefined> = {};

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  await configureSeedGateway(pki, HOST, origin.url);
  for (const [k, v] of Object.entries(ENV)) {
    saved[k] = process.env[k];
    process.env[k] = v;
  }
}, 180_000);

afterAll(async () => {
  for (const k of Object.keys(ENV)) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
  await origin?.close();
});

describe("the server's graceful stop", () => {
  it("closes the gateway and stores the access-log rows of every request it answered", async () => {
    const gw = await startGatewayFromEnv();
    expect(gw).not.toBeNull();
    const agent = new https.Agent({ keepAlive: true, maxSockets: 2, cert: readFileSync(pki.client.cert), key: readFileSync(pki.client.key) });
    for (let i = 0; i < 20; i++) {
      const r = await httpsGet({ port: gw!.port, host: HOST, servername: HOST, path: `/stop/${i}`, agent });
      expect(r.status).toBe(200);
    }
    agent.destroy();
    await stopServerServices();
    // The gateway no longer answers, and a new start gets a new gateway (the stopped one is forgotten).
    await expect(httpsGet({ port: gw!.port, host: HOST, servername: HOST, path: "/after" })).rejects.toThrow();
    // The database was closed: this opens it again and reads what the stop wrote.
    const db = await getDb();
    const { rows } = (await db.execute(sql`select count(distinct path)::int as paths from access_log where hostname = ${HOST} and path like '/stop/%'`)) as unknown as { rows: { paths: number }[] };
    expect(rows[0].paths).toBe(20);
    const again = await startGatewayFromEnv();
    expect(again).not.toBe(gw);
    await stopGatewayFromEnv();
  }, 120_000);
});
