/**
 * Issue #13, part 6: the access log keeps each request's normalised path and the client's chain by reference
 * (SHA-256, leaf first) to client_certificates_seen, where every certificate is stored once; Explain rebuilds the
 * request (URL, PEM chain, IP) from a real gateway decision over TLS and decides it again with today's configuration.
 * Runs on PGlite and, with TEST_DATABASE_URL, on PostgreSQL.
 */
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getDb, type Db } from "@/lib/db/client";
import { flushAccessLog, forgetWrittenCertificates, listAccessLog, recordAccess, type AccessLogDto } from "@/lib/domain/access-log";
import { explainAccessLogEntry } from "@/lib/domain/access-log/explain";
import { updatePolicy } from "@/lib/domain/policies";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor } from "../helpers/actors";
import { configureSeedGateway, curl, generateGatewayPki, startOrigin, type ClientCert, type GatewayPki } from "./gateway-fixtures";

const HOST = "auth.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;
let policyId = "";
let db: Db;
/** John Doe's leaf followed by the intermediate (curl sends both) */
let johnWithIntermediate: ClientCert;

const get = (o: Partial<Parameters<typeof curl>[0]> = {}) => curl({ host: HOST, port: gw.port, cacert, ...o });
const rows = async <T>(q: ReturnType<typeof sql>) => ((await db.execute(q)) as unknown as { rows: T[] }).rows;
const pemBodies = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map((b) => b.replace(/-----[^-]+-----|\s/g, ""));
const derOf = (pemFile: string) => new X509Certificate(readFileSync(pemFile)).raw;
const sha = (der: Buffer) => createHash("sha256").update(der).digest("hex");

async function logged(): Promise<AccessLogDto[]> {
  await flushAccessLog();
  return (await listAccessLog({ hostname: HOST }, 200)).items;
}

beforeAll(async () => {
  db = await getDb();
  pki = generateGatewayPki();
  const intermediatePem = pki.chainPem.slice(0, pki.chainPem.indexOf("-----END CERTIFICATE-----") + 26);
  const dir = mkdtempSync(path.join(os.tmpdir(), "portcullis-explain-"));
  writeFileSync(path.join(dir, "john-chain.pem"), readFileSync(pki.client.cert, "utf8") + intermediatePem);
  johnWithIntermediate = { cert: path.join(dir, "john-chain.pem"), key: pki.client.key };
  origin = await startOrigin();
  ({ policyId } = await configureSeedGateway(pki, HOST, origin.url));
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
}, 180_000);

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

beforeEach(async () => {
  await flushAccessLog();
  await db.execute(sql`truncate access_log, client_certificates_seen`);
  forgetWrittenCertificates();
});

describe("the access log keeps the request's path and the client's chain", () => {
  it("stores the normalised path and the chain by SHA-256, leaf first, each certificate once however many rows use it", async () => {
    expect((await get({ cert: johnWithIntermediate, paths: ["/a/../hello", "/hello", "/%68ello?x=1"] })).status).toBe(200);
    expect((await get({ cert: johnWithIntermediate, paths: ["/hello"] })).status).toBe(200);
    expect((await get({ cert: pki.janeRoe, paths: ["/admin/./x"] })).status).toBe(403);
    expect((await get({ paths: ["/nocert"] })).status).toBe(403);

    const items = await logged();
    // Identical requests of the same second share a row (lib/domain/access-log/fold): count requests, not rows.
    const requests = (rows: typeof items) => rows.reduce((n, i) => n + i.requests, 0);
    expect(requests(items)).toBe(6);
    const john = items.filter((i) => i.client_cn === "John Doe");
    expect(requests(john)).toBe(4);
    expect(new Set(john.map((i) => i.path))).toEqual(new Set(["/hello"]));
    const johnLeaf = sha(derOf(pki.client.cert));
    const intermediate = sha(new X509Certificate(pki.chainPem).raw);
    for (const row of john) {
      expect(row.chain_sha256[0]).toBe(johnLeaf);
      expect(row.chain_sha256).toContain(intermediate);
    }
    const jane = items.find((i) => i.client_cn === "Jane Roe")!;
    expect(jane.path).toBe("/admin/x");
    expect(jane.chain_sha256[0]).toBe(sha(derOf(pki.janeRoe.cert)));
    const none = items.find((i) => i.path === "/nocert")!;
    expect(none.chain_sha256).toEqual([]);

    // One stored certificate per distinct hash, byte for byte what the client sent.
    const distinct = new Set(items.flatMap((i) => i.chain_sha256));
    const stored = await rows<{ sha256: string; der: Uint8Array }>(sql`select sha256, der from client_certificates_seen`);
    expect(stored.map((s) => s.sha256).sort()).toEqual([...distinct].sort());
    for (const s of stored) expect(sha(Buffer.from(s.der))).toBe(s.sha256);
    // The query string is not kept (it may carry secrets; applications match on the path).
    expect(items.some((i) => i.path?.includes("?"))).toBe(false);
  });

  it("writes a certificate again only when this process has not written it recently (one upsert per batch, not per row)", async () => {
    const der = derOf(pki.client.cert);
    const entry = (i: number) => ({
      at: new Date(), hostname: HOST, applicationId: null, applicationName: null, clientCn: "John Doe", serialNumber: null,
      decision: "deny" as const, policyId: null, policyName: null, reason: `row ${i}`, ip: "192.0.2.1", path: "/p", chain: [der],
    });
    for (let i = 0; i < 50; i++) recordAccess(entry(i));
    await flushAccessLog();
    const [first] = await rows<{ last_seen: Date }>(sql`select last_seen from client_certificates_seen`);
    // Rows of a later batch reference it without rewriting it: last_seen stays.
    await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 50; i++) recordAccess(entry(i));
    await flushAccessLog();
    const after = await rows<{ n: number; last_seen: Date }>(sql`select count(*)::int as n, max(last_seen) as last_seen from client_certificates_seen`);
    expect(after[0].n).toBe(1);
    expect(new Date(after[0].last_seen).getTime()).toBe(new Date(first.last_seen).getTime());
    expect(await rows(sql`select count(*)::int as n from access_log where chain_sha256[1] = ${sha(der)}`)).toEqual([{ n: 100 }]);
  });
});

describe("Explain", () => {
  it("rebuilds a logged request and shows the logged decision next to today's", async () => {
    expect((await get({ cert: pki.janeRoe, paths: ["/admin/../hello"] })).status).toBe(403);
    const [row] = await logged();
    expect(row.decision).toBe("deny");

    const before = await explainAccessLogEntry(String(row.id));
    expect(before.ok, JSON.stringify(before)).toBe(true);
    if (!before.ok) return;
    const v = before.value;
    expect(v.prefill.url).toBe(`https://${HOST}/hello`);
    expect(v.prefill.ip).toBe("127.0.0.1");
    // The leaf the client sent, first, as PEM.
    expect(pemBodies(v.prefill.certificate!)[0]).toBe(pemBodies(readFileSync(pki.janeRoe.cert, "utf8"))[0]);
    expect(v.logged).toMatchObject({ decision: "deny", at: row.at, policyName: null, applicationName: "Auth portal" });
    expect(v.today).toMatchObject({ ok: true, decision: "deny", applicationName: "Auth portal" });

    // Let Jane in: the logged decision stays, today's follows the configuration.
    const u = await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "Jane Roe" } }] });
    expect(u.ok, JSON.stringify(u)).toBe(true);
    const now = await explainAccessLogEntry(String(row.id));
    expect(now.ok && now.value.logged.decision).toBe("deny");
    expect(now.ok && now.value.today).toMatchObject({ ok: true, decision: "allow", policyName: "John Doe devices" });
    await updatePolicy(adminActor, policyId, { name: "John Doe devices", decision: "non_identity", include: [{ common_name: { common_name: "John Doe" } }] });
  });

  it("says why it cannot test again: no certificate presented, certificates no longer stored", async () => {
    expect((await get({ paths: ["/x"] })).status).toBe(403);
    expect((await get({ cert: pki.client, paths: ["/y"] })).status).toBe(200);
    const items = await logged();
    const none = items.find((i) => i.path === "/x")!;
    const john = items.find((i) => i.path === "/y")!;
    const r = await explainAccessLogEntry(String(none.id));
    expect(r.ok && r.value.prefill).toEqual({ url: `https://${HOST}/x`, hostname: HOST, ip: "127.0.0.1" });
    expect(r.ok && r.value.today).toEqual({ ok: false, message: "The client presented no certificate, so there is nothing to test again." });
    await db.execute(sql`delete from client_certificates_seen`);
    const gone = await explainAccessLogEntry(String(john.id));
    expect(gone.ok && gone.value.today).toEqual({ ok: false, message: "The certificates of this request are no longer stored, so it cannot be tested again." });
  });

  it("refuses a malformed ID and explains a missing row", async () => {
    for (const bad of [undefined, "", "abc", "1e3", "-1", "0", "1".repeat(30), "1 or 1=1"]) {
      const r = await explainAccessLogEntry(bad);
      expect(r.ok ? null : r.error.kind).toBe("validation");
    }
    const r = await explainAccessLogEntry("987654321");
    expect(r.ok ? null : r.error).toMatchObject({ kind: "not_found", message: "That access-log entry no longer exists (log retention may have removed it)." });
  });
});
