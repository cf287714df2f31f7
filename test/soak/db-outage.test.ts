/**
 * PostgreSQL outage under load. The machine's PostgreSQL is shared, so instead of stopping it the test
 * puts a TCP proxy between the app and 127.0.0.1:5432 and cuts it for 10 s (refuses new connections,
 * drops open ones — what a stopped server looks like). Requests must fail fast with a clear 503, none
 * may hang, and everything must recover on its own.
 */
import { createConnection, createServer, type Server, type Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, seedAdminAndTokens, startAppServer, type AppServer } from "../helpers/server";
import { runLoad } from "./load-driver";
import { expectStateMatches, summary } from "./verify";

const pgMode = process.env.PORTCULLIS_TEST_ENGINE === "postgres";

class CuttableProxy {
  private server: Server | null = null;
  private sockets = new Set<Socket>();
  constructor(
    readonly port: number,
    private target: { host: string; port: number },
  ) {}
  up(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = createConnection(this.target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on("close", () => this.sockets.delete(s));
        s.on("error", () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
      client.on("close", () => upstream.destroy());
      upstream.on("close", () => client.destroy());
    });
    return new Promise((resolve) => this.server!.listen(this.port, "127.0.0.1", () => resolve()));
  }
  down(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
    const server = this.server;
    this.server = null;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

let server: AppServer | undefined;
let proxy: CuttableProxy;
let seed: Awaited<ReturnType<typeof seedAdminAndTokens>>;

beforeAll(async () => {
  if (!pgMode) return;
  seed = await seedAdminAndTokens(50);
  const target = new URL(process.env.DATABASE_URL!);
  proxy = new CuttableProxy(await freePort(), { host: target.hostname, port: Number(target.port || 5432) });
  await proxy.up();
  const viaProxy = new URL(process.env.DATABASE_URL!);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  server = await startAppServer({ env: { DATABASE_URL: viaProxy.toString() } });
});
afterAll(async () => {
  await server?.stop();
  await proxy?.down();
});

async function timed(url: string, init: RequestInit = {}) {
  const started = Date.now();
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
  const body = await res.text();
  return { status: res.status, body, ms: Date.now() - started };
}

describe.skipIf(!pgMode)("soak: PostgreSQL outage", () => {
  it("fails fast with 503 while the database is away, and recovers on its own", async () => {
    const tag = `outage${Date.now().toString(36)}`;
    const load = runLoad({ baseURL: server!.baseURL, accountId: seed.accountId, tokens: seed.tokens, durationMs: 30_000, tag, requestTimeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 5000));
    await proxy.down();
    const probes: { status: number; body: string; ms: number }[] = [];
    const cutUntil = Date.now() + 10_000;
    while (Date.now() < cutUntil) {
      probes.push(await timed(`${server!.origin}/api/health`));
      probes.push(await timed(`${server!.baseURL}/accounts/${seed.accountId}/access/policies`, { headers: { authorization: `Bearer ${seed.tokens[0]}` } }));
      await new Promise((r) => setTimeout(r, 500));
    }
    await proxy.up();
    const report = await load;
    console.log(`[soak outage] ${summary(report)}; probes ${JSON.stringify(probes.map((p) => [p.status, p.ms]))}`);

    // During the outage: a clear 503 (health JSON / API envelope), fast.
    expect(probes.length).toBeGreaterThan(4);
    for (const p of probes.slice(2)) {
      expect(p.status, p.body).toBe(503);
      expect(p.ms, "a request hung while the database was away").toBeLessThan(5000);
    }
    const api503 = probes.filter((p) => p.body.includes('"success":false'));
    expect(api503.length).toBeGreaterThan(0);
    for (const p of api503) expect(JSON.parse(p.body).errors[0].message).toMatch(/unavailable|database/i);

    const errors = server!.log().split("\n").filter((l) => /unexpected error|code:|Error:/.test(l));
    if (report.fiveXX.some((f) => f.status !== 503)) console.log(`[soak outage] server errors:\n${[...new Set(errors)].slice(0, 30).join("\n")}`);
    // Under load: only 2xx or 503 (never another 5xx), and no hang.
    expect(report.fiveXX.filter((f) => f.status !== 503)).toEqual([]);
    expect(report.hangs).toBe(0);

    // Recovery without a restart.
    let healthy = false;
    for (let i = 0; i < 40 && !healthy; i++) {
      healthy = (await timed(`${server!.origin}/api/health`)).status === 200;
      if (!healthy) await new Promise((r) => setTimeout(r, 250));
    }
    expect(healthy).toBe(true);
    const after = await timed(`${server!.baseURL}/accounts/${seed.accountId}/access/policies`, {
      method: "POST",
      headers: { authorization: `Bearer ${seed.tokens[0]}`, "content-type": "application/json" },
      body: JSON.stringify({ name: `${tag}-after`, decision: "allow", include: [{ ip: { ip: "10.0.0.0/8" } }] }),
    });
    expect(after.status, after.body).toBe(201);
    report.policies.set(JSON.parse(after.body).result.id, `${tag}-after`);
    // Writes refused with a plain 503 were not applied; the acknowledged ones all are. A write whose
    // connection was cut while committing answers 503 code 10014 ("may or may not have been saved") and
    // counts as in doubt.
    await expectStateMatches(server!.baseURL, seed.accountId, seed.tokens[0], tag, report);
  });
});
