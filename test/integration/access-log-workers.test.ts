/**
 * Issue #13, part 6, with worker processes (createGateway({ workers: 2 }), as GATEWAY_WORKERS=2): the workers send
 * their access-log entries to the database-owning process over IPC, the client's chain (Buffers) included, and the
 * primary stores each certificate once; Explain then rebuilds the exact chain the client sent.
 */
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db/client";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { explainAccessLogEntry } from "@/lib/domain/access-log/explain";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { configureSeedGateway, curl, generateGatewayPki, startOrigin, until, type GatewayPki } from "./gateway-fixtures";

const HOST = "auth.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  await configureSeedGateway(pki, HOST, origin.url);
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity, workers: 2 });
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("access-log chains from worker processes", () => {
  it("arrive in the primary, are stored once, and Explain rebuilds the leaf the client sent", async () => {
    for (let i = 0; i < 4; i++) expect((await curl({ host: HOST, port: gw.port, cacert, cert: pki.janeRoe, paths: [`/w/${i}/../x`] })).status).toBe(403);
    const leaf = new X509Certificate(readFileSync(pki.janeRoe.cert)).raw;
    const leafSha = createHash("sha256").update(leaf).digest("hex");
    let rows: Awaited<ReturnType<typeof listAccessLog>>["items"] = [];
    await until(
      async () => {
        await flushAccessLog();
        rows = (await listAccessLog({ hostname: HOST })).items.filter((r) => r.client_cn === "Jane Roe");
        // Identical requests of the same second share a row (lib/domain/access-log/fold).
        return rows.reduce((n, r) => n + r.requests, 0) === 4;
      },
      10_000,
      "the workers' rows",
    );
    for (const r of rows) {
      expect(r.path).toBe("/w/x");
      expect(r.chain_sha256[0]).toBe(leafSha);
    }
    const db = await getDb();
    const stored = ((await db.execute(sql`select count(*)::int as n from client_certificates_seen where sha256 = ${leafSha}`)) as unknown as { rows: { n: number }[] }).rows;
    expect(stored).toEqual([{ n: 1 }]);
    const e = await explainAccessLogEntry(String(rows[0].id));
    expect(e.ok, JSON.stringify(e)).toBe(true);
    if (!e.ok) return;
    expect(e.value.prefill.url).toBe(`https://${HOST}/w/x`);
    const firstPem = e.value.prefill.certificate!.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/)![0];
    expect(new X509Certificate(firstPem).raw.equals(leaf)).toBe(true);
    expect(e.value.today).toMatchObject({ ok: true, decision: "deny" });
  });
});
