/**
 * A service token's last_seen_at, written by the real gateway over TLS (`curl` with CF-Access-Client-Id/-Secret):
 * null until a request authenticates with the token, then the time of that request, at most once a minute
 * (a second request at once leaves it as it is), never for wrong credentials; with worker processes the workers
 * report it to the process that owns the database. Writing it does not change the configuration fingerprint (the
 * gateway's caches stay).
 */
import { mkdtempSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApplication } from "@/lib/domain/applications";
import { configFingerprint } from "@/lib/domain/core/config-events";
import { createPolicy } from "@/lib/domain/policies";
import { createServiceToken, getServiceToken, type ServiceTokenWithSecret } from "@/lib/domain/service-tokens";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { curl, startOrigin, until } from "./gateway-fixtures";

const HOST = "seen.example.com";
let origin: Awaited<ReturnType<typeof startOrigin>>;
let cacert: string;
let identity: ReturnType<typeof loadServerCert>;

async function token(name: string): Promise<ServiceTokenWithSecret> {
  const r = await createServiceToken(adminActor, { name });
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}
const get = (gw: Gateway, t: { client_id: string }, secret: string) =>
  curl({ host: HOST, port: gw.port, cacert, headers: ["Accept: application/json", `CF-Access-Client-Id: ${t.client_id}`, `CF-Access-Client-Secret: ${secret}`] });
const lastSeen = async (id: string) => (await getServiceToken(id))?.last_seen_at ?? null;

beforeAll(async () => {
  origin = await startOrigin();
  const any = await createPolicy(adminActor, { name: "any token", decision: "non_identity", include: [{ any_valid_service_token: {} }] });
  if (!any.ok) throw new Error("policy");
  const app = await createApplication(adminActor, { name: "Token API", domain: HOST, session_duration: "1h", policies: [any.value.id], origin_url: origin.url });
  if (!app.ok) throw new Error("application");
  identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-seen-")), hostnames: [HOST] });
  cacert = identity.certPath;
});

afterAll(async () => {
  await origin?.close();
});

describe("service token last_seen_at", () => {
  it("is written by the gateway when the token authenticates, at most once a minute, never for a wrong secret", async () => {
    const gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
    try {
      const t = await token("seen in process");
      const other = await token("never used");
      expect(await lastSeen(t.id)).toBeNull();
      expect((await get(gw, other, "0".repeat(64))).status).toBe(401);
      const fp = await configFingerprint();
      const before = Date.now();
      expect((await get(gw, t, t.client_secret)).status).toBe(200);
      await until(async () => (await lastSeen(t.id)) !== null, 5000, "last_seen_at");
      const first = (await lastSeen(t.id))!;
      expect(Date.parse(first)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(first)).toBeLessThanOrEqual(Date.now());
      // Throttled: a second request at once writes nothing.
      expect((await get(gw, t, t.client_secret)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 500));
      expect(await lastSeen(t.id)).toBe(first);
      expect(await lastSeen(other.id)).toBeNull();
      // Bookkeeping: the configuration (and so the gateway's caches) did not change.
      expect(await configFingerprint()).toBe(fp);
    } finally {
      await gw.close();
    }
  });

  it("is reported by worker processes to the process that owns the database", { timeout: 120_000 }, async () => {
    const gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
    try {
      const t = await token("seen by a worker");
      await until(async () => (await get(gw, t, t.client_secret)).status === 200, 10_000, "the workers to know the token");
      await until(async () => (await lastSeen(t.id)) !== null, 5000, "last_seen_at from a worker");
    } finally {
      await gw.close();
    }
  });
});
