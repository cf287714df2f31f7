/**
 * Instant lock through the real gateway over TLS (`curl` with real client certificates made by openssl): a
 * certificate blocked from an access-log row, by issuer + serial, or from the PEM a Test mTLS run used is refused
 * with 403 within a second, on every application, Bypass included; unblocking lets it in again within a second; the
 * tester says the same with a "Blocked certificate" step; every block and unblock is audited; the domain refuses bad
 * input with field errors, duplicates, and viewers.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { flushAccessLog, listAccessLog } from "@/lib/domain/access-log";
import { createApplication } from "@/lib/domain/applications";
import { auditFilterSchema, listAuditEvents } from "@/lib/domain/audit";
import { blockCertificate, listBlockedCertificates, unblockCertificate } from "@/lib/domain/blocked-certificates";
import { createPolicy } from "@/lib/domain/policies";
import { testClientCertificate } from "@/lib/domain/test-mtls";
import { createGateway, loadServerCert, type Gateway } from "@/lib/gateway";
import { adminActor, viewerActor } from "../helpers/actors";
import { configureSeedGateway, curl, generateGatewayPki, startOrigin, tookEffect, type GatewayPki } from "./gateway-fixtures";

const HOST = "locked.example.com";
let pki: GatewayPki;
let origin: Awaited<ReturnType<typeof startOrigin>>;
let gw: Gateway;
let cacert: string;

const get = (cert: GatewayPki["client"], p = "/") => curl({ host: HOST, port: gw.port, cacert, cert, paths: [p] });
const opensslField = (file: string, ...flags: string[]) => execFileSync("openssl", ["x509", "-in", file, "-noout", ...flags], { encoding: "utf8" }).trim();

beforeAll(async () => {
  pki = generateGatewayPki();
  origin = await startOrigin();
  await configureSeedGateway(pki, HOST, origin.url);
  // A Bypass application too: a blocked certificate is refused there as well.
  const open = await createPolicy(adminActor, { name: "Public docs", decision: "bypass", include: [{ everyone: {} }] });
  if (!open.ok) throw new Error(JSON.stringify(open));
  const app = await createApplication(adminActor, { name: "Docs", domain: `${HOST}/docs`, session_duration: "1h", policies: [open.value.id], origin_url: origin.url });
  if (!app.ok) throw new Error(JSON.stringify(app));
  const identity = loadServerCert({ dir: mkdtempSync(path.join(os.tmpdir(), "portcullis-gw-lock-")), hostnames: [HOST] });
  cacert = identity.certPath;
  gw = await createGateway({ port: 0, host: "127.0.0.1", identity });
});

afterAll(async () => {
  await gw?.close();
  await origin?.close();
});

describe("instant lock at the gateway", () => {
  it("blocks the certificate of an access-log row within a second (Bypass included), and unblocking lets it in within a second", async () => {
    expect((await get(pki.client)).status).toBe(200);
    await flushAccessLog();
    const row = (await listAccessLog({ hostname: HOST }, 10)).items.find((i) => i.decision === "allow" && i.client_cn === "John Doe");
    expect(row).toBeDefined();

    const b = await blockCertificate(adminActor, { access_log_id: String(row!.id), reason: "laptop reported stolen", source: "access_log" });
    if (!b.ok) throw new Error(JSON.stringify(b.error));
    const since = Date.now();
    const fp = opensslField(pki.client.cert, "-fingerprint", "-sha256").replace(/^.*=/, "").replace(/:/g, "").toLowerCase();
    expect(b.value).toMatchObject({ match: "sha256", sha256: fp, subject: "CN=John Doe", reason: "laptop reported stolen", source: "access_log", created_by: "admin@test" });
    expect(await tookEffect(since, async () => (await get(pki.client)).status === 403, "the block")).toBeLessThan(1000);
    const refused = await get(pki.client, "/docs/page");
    expect(refused.status).toBe(403);
    expect(refused.body).toContain("laptop reported stolen");
    // Another certificate of the same CA is untouched.
    expect((await get(pki.janeRoe, "/docs/page")).status).toBe(200);
    await flushAccessLog();
    const logged = (await listAccessLog({ hostname: HOST, decision: "deny" }, 10)).items[0];
    expect(logged.reason).toMatch(/^Blocked: the client certificate is locked \(Blocked certificates, since .+\): laptop reported stolen$/);

    // The tester (Test mTLS, the API, the CLI) decides the same, with a step saying why.
    const t = await testClientCertificate({ url: `https://${HOST}/`, certificate: readFileSync(pki.client.cert, "utf8") });
    if (!t.ok) throw new Error(JSON.stringify(t.error));
    expect(t.value).toMatchObject({ decision: "deny", access_decision: "block", policy: null });
    expect(t.value.steps.find((s) => s.id === "blocked")).toMatchObject({ label: "Blocked certificate", status: "fail" });
    expect(t.value.steps.find((s) => s.id === "blocked")?.detail).toContain("laptop reported stolen");

    const u = await unblockCertificate(adminActor, b.value.id);
    expect(u.ok).toBe(true);
    const after = Date.now();
    expect(await tookEffect(after, async () => (await get(pki.client)).status === 200, "the unblock")).toBeLessThan(1000);
    expect(await listBlockedCertificates()).toEqual([]);
    const audit = await listAuditEvents(auditFilterSchema.parse({ resourceType: "blocked_certificate" }));
    expect(audit.events.map((e) => e.action)).toEqual(expect.arrayContaining(["blocked_certificate.block", "blocked_certificate.unblock"]));
  });

  it("blocks by issuer + serial typed as openssl prints them, and by the PEM a Test mTLS run used", async () => {
    const serial = opensslField(pki.janeRoe.cert, "-serial").replace(/^serial=/, "");
    // as openssl prints it ("O = Access Testing, CN = Gateway Test Intermediate CA"), not as the console shows it
    const issuer = opensslField(pki.janeRoe.cert, "-issuer").replace(/^issuer=/, "");
    // Jane Roe is not allowed on "/" (CN John Doe only) but is let through by the Bypass application under /docs.
    expect((await get(pki.janeRoe, "/docs/a")).status).toBe(200);
    const b = await blockCertificate(adminActor, { issuer: `  ${issuer} `, serial_number: serial.match(/../g)!.join(":"), reason: "contractor left" });
    if (!b.ok) throw new Error(JSON.stringify(b.error));
    expect(b.value.match).toBe("issuer_serial");
    expect(await tookEffect(Date.now(), async () => (await get(pki.janeRoe, "/docs/a")).status === 403, "the issuer + serial block")).toBeLessThan(1000);
    expect((await get(pki.client)).status).toBe(200);

    const byPem = await blockCertificate(adminActor, { certificate: readFileSync(pki.client.cert, "utf8"), match: "issuer_serial", reason: "test run", source: "test_mtls" });
    if (!byPem.ok) throw new Error(JSON.stringify(byPem.error));
    expect(await tookEffect(Date.now(), async () => (await get(pki.client)).status === 403, "the PEM block")).toBeLessThan(1000);
    for (const x of [b.value, byPem.value]) expect((await unblockCertificate(adminActor, x.id)).ok).toBe(true);
    expect(await tookEffect(Date.now(), async () => (await get(pki.janeRoe, "/docs/a")).status === 200 && (await get(pki.client)).status === 200, "both unblocks")).toBeLessThan(1000);
  });

  it("refuses bad input with a field error, a second block of the same certificate, and viewers", async () => {
    const cases: [unknown, string][] = [
      [{ sha256: "ab:cd", reason: "x" }, "sha256"],
      [{ sha256: "ab".repeat(32), reason: " " }, "reason"],
      [{ serial_number: "01", reason: "x" }, "issuer"],
      [{ issuer: "CN=X", serial_number: "not hex", reason: "x" }, "serial_number"],
      [{ certificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----", reason: "x" }, "certificate"],
      [{ access_log_id: "99999999", reason: "x" }, "access_log_id"],
      [{ reason: "x" }, "sha256"],
      [{ sha256: "ab".repeat(32), reason: "x", surprise: 1 }, "form"],
    ];
    for (const [input, field] of cases) {
      const r = await blockCertificate(adminActor, input);
      expect(r.ok, JSON.stringify(input)).toBe(false);
      if (!r.ok) expect(Object.keys(r.error.fieldErrors ?? {}), JSON.stringify(input)).toContain(field);
    }
    const first = await blockCertificate(adminActor, { sha256: "AB:".repeat(31) + "AB", reason: "x" });
    expect(first.ok).toBe(true);
    const again = await blockCertificate(adminActor, { sha256: "ab".repeat(32), reason: "y" });
    expect(again.ok ? null : again.error.kind).toBe("conflict");
    const viewer = await blockCertificate(viewerActor, { sha256: "cd".repeat(32), reason: "x" });
    expect(viewer.ok ? null : viewer.error.kind).toBe("forbidden");
    if (first.ok) {
      expect((await unblockCertificate(viewerActor, first.value.id)).ok).toBe(false);
      expect((await unblockCertificate(adminActor, first.value.id)).ok).toBe(true);
      const gone = await unblockCertificate(adminActor, first.value.id);
      expect(gone.ok ? null : gone.error.kind).toBe("not_found");
    }
  });
});
